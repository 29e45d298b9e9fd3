package dev.pmemspring.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Where the benchmarks put their pool files, and how they get rid of them. */
final class BenchPools {

    /**
     * Pools live on tmpfs ({@code /dev/shm}) where there is one, else in the temporary directory,
     * never in the repository; {@code -Dpmem.bench.dir=...} moves them (for example onto a DAX mount).
     */
    static final Path DIR = Path.of(System.getProperty(
            "pmem.bench.dir",
            Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")));

    private BenchPools() {}

    /** A fresh, unused pool path; unique per call so forks and threads never collide. */
    static Path newPath(String prefix) {
        Path path = DIR.resolve(
                "pmem-bench-" + prefix + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID() + ".pool");
        // Backstop for runs that die between setup and teardown: the JVM removes it on exit.
        path.toFile().deleteOnExit();
        return path;
    }

    static void delete(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove benchmark pool " + path, e);
        }
    }
}
