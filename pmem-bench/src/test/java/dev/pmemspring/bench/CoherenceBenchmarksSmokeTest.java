package dev.pmemspring.bench;

import dev.pmemspring.cache.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the coherence benchmarks once, small, against a private redis-server (installed by
 * {@code .ci/install-redis-server.sh} when missing), so CI notices one that no longer runs. The
 * JMH numbers are thrown away; the rolling restart's counts are checked, because they are what
 * the benchmark claims: ours loads exactly the changed keys, and nobody serves a stale value.
 */
class CoherenceBenchmarksSmokeTest {

    @TempDir
    static Path dir;

    static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(dir.resolve("redis"), true);
        System.setProperty(CacheStore.REDIS_PROPERTY, redis.host() + ":" + redis.port());
    }

    @AfterAll
    static void stopRedis() {
        System.clearProperty(CacheStore.REDIS_PROPERTY);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void putBenchmarkRunsWithAndWithoutCoherence() throws RunnerException {
        Collection<RunResult> results = new Runner(options(CoherencePutBenchmark.class)
                        .param("entries", "1000")
                        .build())
                .run();

        assertThat(results).hasSize(2); // coherence=none, redis
        results.forEach(
                r -> assertThat(r.getPrimaryResult().getScore()).isPositive().isFinite());
    }

    @Test
    void lagBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results = new Runner(options(CoherenceLagBenchmark.class)
                        .param("entries", "100")
                        .build())
                .run();

        assertThat(results).hasSize(1);
        assertThat(results.iterator().next().getPrimaryResult().getScore())
                .isPositive()
                .isFinite();
    }

    @Test
    void aRollingRestartOfOursLoadsOnlyTheChangedKeys() {
        String address = redis.host() + ":" + redis.port();
        List<RollingRestartBenchmark.Restart> ours = RollingRestartBenchmark.run("pmem", address, 2000, 1, 3);
        assertThat(ours).hasSize(3).allSatisfy(r -> {
            assertThat(r.staleValues()).isZero();
            assertThat(r.recoveryLoads() + r.passLoads())
                    .as("loads of restart %d", r.instance())
                    .isEqualTo(20);
        });
        List<RollingRestartBenchmark.Restart> peer = RollingRestartBenchmark.run("redisson", address, 2000, 1, 3);
        assertThat(peer).hasSize(3).allSatisfy(r -> assertThat(r.staleValues()).isZero());
    }

    private static ChainedOptionsBuilder options(Class<?> benchmark) {
        return new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                .forks(0)
                .threads(1)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .shouldFailOnError(true);
    }
}
