package dev.pmemspring.cache.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A private {@code redis-server} for tests: started on a free loopback port in a folder of the
 * test's, stopped by its pid. When no {@code redis-server} is installed, the project's installer
 * ({@code .ci/install-redis-server.sh}, passed by the build as {@code pmem.redis.installer}) is run
 * first; if that cannot install it either, the test fails with what to do, rather than skipping.
 * Shared with the demo's and the benchmarks' tests through this module's test jar.
 */
public final class RedisServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final boolean appendOnly;
    private Process process;

    private RedisServer(Path dir, int port, boolean appendOnly) {
        this.dir = dir;
        this.port = port;
        this.appendOnly = appendOnly;
    }

    /** A server without persistence: a restart comes back empty. */
    public static RedisServer start(Path dir) {
        return start(dir, false);
    }

    /** A server that, with {@code appendOnly}, keeps every acknowledged write in an AOF across restarts. */
    public static RedisServer start(Path dir, boolean appendOnly) {
        RedisServer server = new RedisServer(dir, freePort(), appendOnly);
        server.launch();
        return server;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code kill -9}: nothing is flushed. */
    public void kill() {
        process.destroyForcibly();
        await();
    }

    /** A clean stop (SIGTERM: an AOF is flushed). */
    public void stop() {
        if (process.isAlive()) {
            process.destroy();
            if (!await()) {
                kill();
            }
        }
    }

    /** Starts again on the same port and folder: with AOF, with the data it had; without, empty. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server " + pid() + " is still running");
        }
        launch();
    }

    /** A started Lettuce connection factory on this server with short timeouts; close (destroy) it after. */
    public LettuceConnectionFactory connectionFactory() {
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(Duration.ofSeconds(3))
                .build();
        LettuceConnectionFactory factory =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(host(), port), client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(
                executable().toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                appendOnly ? "yes" : "no",
                "--appendfsync",
                "always",
                "--daemonize",
                "no",
                "--protected-mode",
                "yes"));
        Path log = dir.resolve("redis.log");
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on port " + port + ":\n" + read(log));
                }
                sleep(20);
            }
        }
    }

    private boolean await() {
        try {
            return process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static synchronized Path executable() {
        Optional<Path> found = onPath("redis-server");
        if (found.isPresent()) {
            return found.get();
        }
        String installer = System.getProperty("pmem.redis.installer");
        if (installer != null && Files.isRegularFile(Path.of(installer))) {
            try {
                Process install =
                        new ProcessBuilder("bash", installer).inheritIO().start();
                install.waitFor(10, TimeUnit.MINUTES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            found = onPath("redis-server");
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IllegalStateException("the coherence tests need redis-server: install it (Debian: apt-get install"
                + " redis-server, or run .ci/install-redis-server.sh as root) or put it on PATH");
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
        if (path != null) {
            dirs.addAll(0, List.of(path.split(File.pathSeparator)));
        }
        return dirs.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
