package dev.pmemspring.bench.suite;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Keeps the classes under a running suite fixed. JMH's forks (and {@link ChildJvm}) start from
 * this JVM's {@code java.class.path}, reading the jar as they start; a rebuild of {@code target/}
 * meanwhile (other work on the tree) must not change what a later fork runs. So when this JVM runs
 * from one jar, the jar is copied into the results folder and the class path pointed at the copy;
 * otherwise (a class folder, as in the tests) its entries are only made absolute, since the child
 * programs start in the suite's folder. The copy is removed when the run is over (the results
 * folder keeps results, not a 70 MB jar; run-info.json names the commit).
 */
final class PinnedClassPath {

    private PinnedClassPath() {}

    /** Pins the class path; the copy made, if any, to remove when the run is over. */
    static Optional<Path> pin(Path resultsDir) throws IOException {
        String classPath = System.getProperty("java.class.path");
        String[] entries = classPath.split(File.pathSeparator);
        if (entries.length == 1 && entries[0].endsWith(".jar") && Files.isRegularFile(Path.of(entries[0]))) {
            Path copy = resultsDir.resolve(Path.of(entries[0]).getFileName());
            Files.copy(Path.of(entries[0]), copy, StandardCopyOption.REPLACE_EXISTING);
            System.setProperty("java.class.path", copy.toAbsolutePath().toString());
            return Optional.of(copy);
        }
        System.setProperty(
                "java.class.path",
                Arrays.stream(entries)
                        .filter(e -> !e.isEmpty())
                        .map(e -> Path.of(e).toAbsolutePath().toString())
                        .collect(Collectors.joining(File.pathSeparator)));
        return Optional.empty();
    }
}
