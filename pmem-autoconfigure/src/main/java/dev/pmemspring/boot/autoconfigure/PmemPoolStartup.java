package dev.pmemspring.boot.autoconfigure;

import java.nio.file.Path;
import java.util.Objects;

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
 */
public record PmemPoolStartup(
        PmemPool pool, @Nullable Path damagedFile, @Nullable String damage) {

    public PmemPoolStartup {
        Objects.requireNonNull(pool, "pool");
    }

    /** A pool opened or created as asked. */
    static PmemPoolStartup opened(PmemPool pool) {
        return new PmemPoolStartup(pool, null, null);
    }

    /** Whether the caches started cold in a new pool because the old one was too damaged to open. */
    public boolean startedCold() {
        return damagedFile != null;
    }
}
