package dev.pmemspring.bench.suite;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the pmem-bench module is on disk, found from where this class was loaded (its jar in
 * {@code pmem-bench/target/}, a copy of it in a results folder under it, or its class folder): the
 * native PMDK baseline lives there, the default results folder under it, and the repository root
 * (whose commit the run records) above it.
 */
final class BenchHome {

    private BenchHome() {}

    /** The pmem-bench folder: the nearest ancestor of this class's location that holds {@code native/pmdk_bench.c}. */
    static Optional<Path> module() {
        try {
            Path at = Path.of(BenchHome.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath();
            for (Path dir = at; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("native").resolve("pmdk_bench.c"))) {
                    return Optional.of(dir);
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: fall through to the working directory
        }
        Path here = Path.of("pmem-bench").toAbsolutePath();
        return Files.isRegularFile(here.resolve("native").resolve("pmdk_bench.c"))
                ? Optional.of(here)
                : Optional.empty();
    }

    /** The repository root, above the module. */
    static Optional<Path> repository() {
        return module().map(Path::getParent);
    }

    /** {@code pmem-bench/target/bench-results}, or {@code bench-results} here when the module is not found. */
    static Path resultsRoot() {
        return module().map(m -> m.resolve("target").resolve("bench-results"))
                .orElse(Path.of("bench-results"))
                .toAbsolutePath();
    }
}
