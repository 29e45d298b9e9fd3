package dev.pmemspring.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;

import dev.pmemspring.core.PmemPool;
import org.jspecify.annotations.Nullable;

/**
 * How the auto-configuration opened the pool at start-up, for its health and meters (internal: not
 * part of the public API). Absent when the application defines its own pool.
 *
 * @param pool the pool opened
 * @param damagedFile where a pool of caches only that could not be opened after a machine crash was
 *        moved, the new pool starting cold; null when the file was opened or created normally
 * @param damage why that pool could not be opened; null with {@code damagedFile}
 * @param temporaryFolder the folder of a temporary pool ({@code pmem.pool.temporary}), deleted with
 *        it when the context closes; null for a pool at {@code pmem.pool.path}
 */
public record PmemPoolStartup(
        PmemPool pool,
        @Nullable Path damagedFile,
        @Nullable String damage,
        @Nullable Path temporaryFolder) {

    public PmemPoolStartup {
        Objects.requireNonNull(pool, "pool");
    }

    /** A pool opened or created as asked. */
    static PmemPoolStartup opened(PmemPool pool) {
        return new PmemPoolStartup(pool, null, null, null);
    }

    /**
     * Deletes a temporary pool's folder, after the pool bean (which depends on this one) was
     * closed; nothing for a pool at a path.
     */
    void deleteTemporaryFolder() throws IOException {
        if (temporaryFolder == null) {
            return;
        }
        pool.close(); // closed already when the context closed the pool bean first; closing twice is harmless
        try (Stream<Path> files = Files.walk(temporaryFolder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Whether the caches started cold in a new pool because the old one was too damaged to open. */
    public boolean startedCold() {
        return damagedFile != null;
    }
}
