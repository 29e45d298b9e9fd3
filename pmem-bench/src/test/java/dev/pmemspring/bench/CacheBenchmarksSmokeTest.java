package dev.pmemspring.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the cache benchmark once per store in a tiny configuration (1,000 preloaded entries, the
 * 75 % mix only), inside the surefire JVM as {@link BenchmarksSmokeTest} does, so CI notices a
 * store that no longer runs. Not a measurement: the numbers are thrown away.
 *
 * <p>Redis needs a {@code redis-server}: this test starts one on a free loopback port when the
 * executable is on the {@code PATH}, and is skipped (not failed) when it is not.
 */
class CacheBenchmarksSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {CacheStore.PMEM, CacheStore.PMEM_HEAP, CacheStore.CAFFEINE, CacheStore.CONCURRENT_MAP, CacheStore.EHCACHE_DISK})
    void cacheBenchmarkRuns(String store) throws RunnerException {
        Collection<RunResult> results = run(store, "getHit|getMiss|put|mix");

        assertThat(results).hasSize(4); // getHit, getMiss, put, mix
        assertPositiveScores(results);
    }

    @Test
    void serializationBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results = new Runner(options(SerializationBenchmark.class, "serialize|deserialize")
                .build()).run();

        assertThat(results).hasSize(2);
        assertPositiveScores(results);
    }

    @Test
    void redisRunsWhenARedisServerIsInstalled(@TempDir Path dir) throws Exception {
        Optional<Path> executable = onPath("redis-server");
        assumeTrue(executable.isPresent(), "redis-server is not installed: the redis store is not smoke-tested");
        int port = freePort();
        Process server = new ProcessBuilder(executable.get().toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        try {
            awaitListening(server, port, dir.resolve("redis.log"));
            System.setProperty(CacheStore.REDIS_PROPERTY, "127.0.0.1:" + port);
            // Only the mix (gets and puts): each benchmark method costs a Lettuce client start.
            Collection<RunResult> results = run(CacheStore.REDIS, "mix");

            assertThat(results).hasSize(1);
            assertPositiveScores(results);
        } finally {
            System.clearProperty(CacheStore.REDIS_PROPERTY);
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Collection<RunResult> run(String store, String methods) throws RunnerException {
        return new Runner(options(CacheBenchmark.class, methods)
                .param("store", store)
                .param("entries", "1000")
                .param("readPercent", "75")
                .build()).run();
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        List<String> dirs = Arrays.asList(path.split(Pattern.quote(File.pathSeparator)));
        return dirs.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitListening(Process server, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on port " + port + ":\n"
                            + (Files.exists(log) ? Files.readString(log) : "(no log)"), notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    private static ChainedOptionsBuilder options(Class<?> benchmark, String methods) {
        return new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.(" + methods + ")$")
                .forks(0)
                .threads(1)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true);
    }

    private static void assertPositiveScores(Collection<RunResult> results) {
        for (RunResult result : results) {
            assertThat(result.getPrimaryResult().getScore())
                    .as(result.getParams().getBenchmark())
                    .isPositive()
                    .isFinite();
        }
    }
}
