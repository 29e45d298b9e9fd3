package dev.pmemspring.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo jar running as a child process, as a user runs it: {@code java -jar} with the JDK of
 * this test JVM, on a free port, its output in a log file. Killing it is {@code kill -9}
 * ({@link Process#destroyForcibly()} is SIGKILL on Linux).
 */
final class DemoProcess implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private DemoProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the jar on {@code pool}; {@code args} are further {@code --name=value} settings. */
    static DemoProcess start(Path pool, Path log, String... args) {
        return start(pool, freePort(), log, args);
    }

    static DemoProcess start(Path pool, int port, Path log, String... args) {
        return start(pool, port, log, List.of(), args);
    }

    /** As {@link #start(Path, Path, String...)}, with options for the JVM before {@code -jar}. */
    static DemoProcess start(Path pool, Path log, List<String> jvmOptions, String... args) {
        return start(pool, freePort(), log, jvmOptions, args);
    }

    private static DemoProcess start(Path pool, int port, Path log, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(
                java(),
                // no --enable-native-access: the jar's manifest allows the pool's native calls
                // a small, quick-starting JVM: the tests start a dozen of them on two cores
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-Xss512k"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-jar",
                jar().toString(),
                "--server.port=" + port,
                "--pmem.pool.path=" + pool,
                "--pmem.pool.size=64MB",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--logging.level.dev.pmemspring=INFO"));
        command.addAll(List.of(args));
        try {
            Files.writeString(
                    log,
                    "\n==== " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new DemoProcess(p, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the children's output goes: {@code target/demo-logs/NAME.log}, kept for a look after a failure. */
    static Path log(String name) {
        Path dir = Path.of(System.getProperty("demo.logs", "target/demo-logs"));
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve(name + ".log");
            Files.deleteIfExists(log);
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The demo jar the build made (failsafe passes its path). */
    static Path jar() {
        String jar = System.getProperty("demo.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no demo jar at " + jar + ": run the tests through './mvnw -pl demo-app"
                    + " -am verify', which packages it first");
        }
        return Path.of(jar);
    }

    /** The java launcher of this test JVM (JDK 25, chosen by the build's toolchain). */
    static String java() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the service answers its health endpoint; fails with the log if it exits first. */
    DemoProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        "the demo exited with " + process.exitValue() + " before it was ready:\n" + logTail());
            }
            try {
                HttpResponse<String> r = HTTP.send(
                        request("/actuator/health")
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            sleep(100);
        }
        throw new AssertionError("the demo was not ready within " + timeout + ":\n" + logTail());
    }

    /** {@code kill -9}, and waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** A clean stop (SIGTERM: Spring closes the context, the pool is closed). */
    int stop() {
        process.destroy();
        return awaitExit(Duration.ofSeconds(60));
    }

    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new AssertionError("the demo did not exit within " + timeout + ":\n" + logTail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    // ---------------------------------------------------------------- HTTP

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** GET that must answer 200; the body as JSON. */
    JsonNode get(String path) {
        return expect200(request(path).GET().build());
    }

    JsonNode put(String path, String json) {
        return expect200(request(path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    JsonNode post(String path, String json) {
        return expect200(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    private JsonNode expect200(HttpRequest request) {
        try {
            HttpResponse<String> r = send(request);
            if (r.statusCode() != 200) {
                throw new AssertionError(
                        request.method() + " " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e + "\n" + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- log and files

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    String logTail() {
        String all = log();
        return all.length() <= 6000 ? all : "..." + all.substring(all.length() - 6000);
    }

    static String sha256(Path file) {
        try (var in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
