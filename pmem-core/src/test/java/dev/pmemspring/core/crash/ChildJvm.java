package dev.pmemspring.core.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM running a test's main class on the test classpath, killed with SIGKILL
 * ({@code kill -9}) at a moment of the test's choosing.
 *
 * <p>The child's stdout goes to a file, read after the kill: a pipe would lose the lines still
 * buffered in it when the process dies (the JDK drains a dead child's pipe racily), and the lines
 * are the acknowledgements the test checks the pool against.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path output;

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static ChildJvm start(Path workDir, Class<?> main, String... args) throws IOException {
        return start(workDir, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), main, args);
    }

    static ChildJvm start(Path workDir, List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        return start(workDir, List.of(), jvmOptions, main, args);
    }

    /**
     * A child in a file system of its own, a {@code sizeMib} MiB tmpfs mounted at {@code mountPoint}
     * in a private user and mount namespace (no privileges needed): writing past its size fails with
     * {@code ENOSPC}, as on a full disk. Only the child sees the mount.
     */
    static ChildJvm startInSmallFileSystem(Path workDir, Path mountPoint, int sizeMib, Class<?> main, String... args)
            throws IOException {
        return start(
                workDir,
                List.of(
                        "unshare",
                        "--user",
                        "--map-root-user",
                        "--mount",
                        "bash",
                        "-c",
                        "mount -t tmpfs -o size=" + sizeMib + "m pmem-test " + mountPoint + " && exec \"$0\" \"$@\""),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                main,
                args);
    }

    /** A child whose files may not exceed {@code limitKib} KiB ({@code ulimit -f}). */
    static ChildJvm startWithFileSizeLimit(Path workDir, long limitKib, Class<?> main, String... args)
            throws IOException {
        return start(
                workDir,
                List.of("bash", "-c", "ulimit -f " + limitKib + " && exec \"$0\" \"$@\""),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                main,
                args);
    }

    /** Whether this machine lets an unprivileged process mount a file system of its own (see above). */
    static boolean canMountPrivately() {
        try {
            Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "true")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ChildJvm start(
            Path workDir, List<String> prefix, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(prefix); // a prefix ends by exec'ing the JVM command after it
        command.addAll(List.of(java, "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(workDir, "child-", ".out");
        Process process = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new ChildJvm(process, output);
    }

    /** Waits for the child to print {@code READY} as its first line. */
    void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.readString(output, StandardCharsets.UTF_8).startsWith("READY\n")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("child JVM did not get ready (alive: " + process.isAlive() + ")");
            }
            Thread.sleep(5);
        }
    }

    /** Waits for the child to exit by itself; returns its exit code and output lines. */
    int awaitExit(List<String> lines) throws IOException, InterruptedException {
        int code = process.waitFor();
        lines.addAll(Files.readString(output, StandardCharsets.UTF_8).lines().toList());
        return code;
    }

    /** Sends SIGKILL, waits until the child is gone, and returns the complete lines it printed after READY. */
    List<String> kill() throws IOException, InterruptedException {
        process.destroyForcibly(); // SIGKILL on Unix
        process.waitFor();
        String text = Files.readString(output, StandardCharsets.UTF_8);
        // A line cut by the kill has no newline yet: it was never acknowledged.
        text = text.substring(0, text.lastIndexOf('\n') + 1);
        List<String> lines = new ArrayList<>(text.lines().toList());
        lines.remove("READY");
        Files.deleteIfExists(output);
        return lines;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
