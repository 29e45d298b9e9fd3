package dev.pmemspring.bench.suite;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a class of this jar in a fresh JVM: the same {@code java}, the same class path (the pinned
 * copy, see {@link PinnedClassPath}), in a given folder, output appended to files.
 */
final class ChildJvm {

    private ChildJvm() {}

    /** Runs {@code mainClass args} and waits for it; its exit code. */
    static int run(Path workDir, List<String> jvmArgs, Class<?> mainClass, List<String> args, Path stdout, Path stderr)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        Process child = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .start();
        try {
            return child.waitFor();
        } finally {
            if (child.isAlive()) {
                // interrupted: the child's work is of no use any more
                child.destroyForcibly();
            }
        }
    }
}
