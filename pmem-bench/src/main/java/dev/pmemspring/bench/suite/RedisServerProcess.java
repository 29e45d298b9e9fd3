package dev.pmemspring.bench.suite;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} for a suite: a free loopback port, a temporary folder, the
 * append-only file with an fsync every second and no RDB snapshots (an acknowledged write survives
 * {@code kill -9} of the server, not a power loss: the promise of the pool's {@code PROCESS}
 * durability, which it is compared with). Stopped by its pid; its log is kept in the suite's
 * folder. When no {@code redis-server} is installed, the project's installer
 * ({@code .ci/install-redis-server.sh}, Debian's package, needs root) is run first.
 */
final class RedisServerProcess implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;
    private final String version;
    private final Path keepLogIn;

    private RedisServerProcess(Process process, Path dir, int port, String version, Path keepLogIn) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.version = version;
        this.keepLogIn = keepLogIn;
    }

    /**
     * Starts a server; its log goes to {@code keepLogIn/redis.log} when it stops.
     *
     * @throws IOException when no server could be installed or started (the message says why)
     */
    static RedisServerProcess start(Path keepLogIn, Optional<Path> installer, PrintStream log)
            throws IOException, InterruptedException {
        Path executable = executable(installer, log)
                .orElseThrow(() -> new IOException("redis-server is not installed and could not be installed"
                        + " (Debian: apt-get install redis-server, or run .ci/install-redis-server.sh as root)"));
        Path dir = Files.createTempDirectory("pmem-bench-redis.");
        int port = freePort();
        Path redisLog = dir.resolve("redis.log");
        Process process = new ProcessBuilder(
                        executable.toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--protected-mode",
                        "yes",
                        "--dir",
                        dir.toString(),
                        "--save",
                        "",
                        "--appendonly",
                        "yes",
                        "--appendfsync",
                        "everysec",
                        "--daemonize",
                        "no",
                        "--logfile",
                        redisLog.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        RedisServerProcess server = new RedisServerProcess(process, dir, port, version(executable), keepLogIn);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!server.answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IOException("redis-server did not start, see " + keepLogIn.resolve("redis.log"));
            }
            Thread.sleep(100);
        }
        log.println("   redis-server pid " + process.pid() + " on " + server.address());
        return server;
    }

    /** {@code host:port}, as the benchmarks take it. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** For run-info: which server, where, with which persistence. */
    String description() {
        return version + ", " + address() + ", appendonly yes, appendfsync everysec, no RDB snapshots, dir " + dir;
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy(); // SIGTERM: redis-server flushes its AOF and exits
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            Path redisLog = dir.resolve("redis.log");
            if (Files.exists(redisLog)) {
                Files.copy(redisLog, keepLogIn.resolve("redis.log"), StandardCopyOption.REPLACE_EXISTING);
            }
            deleteTree(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Sends PING and expects +PONG: the server answers once it has loaded its data. */
    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(5);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG");
        } catch (IOException notYet) {
            return false;
        }
    }

    private static Optional<Path> executable(Optional<Path> installer, PrintStream log)
            throws IOException, InterruptedException {
        Optional<Path> found = onPath();
        if (found.isPresent() || installer.isEmpty() || !Files.isRegularFile(installer.get())) {
            return found;
        }
        log.println("   installing redis-server (" + installer.get() + ")");
        Process install = new ProcessBuilder("bash", installer.get().toString())
                .inheritIO()
                .start();
        if (!install.waitFor(10, TimeUnit.MINUTES)) {
            install.destroyForcibly();
        }
        return onPath();
    }

    private static Optional<Path> onPath() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
        return dirs.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static String version(Path executable) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(executable.toString(), "--version")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out.lines().findFirst().orElse("redis-server");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
