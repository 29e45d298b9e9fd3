package dev.pmemspring.bench;

import dev.pmemspring.cache.redis.RedisServer;
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

import java.nio.file.Path;
import java.util.Collection;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the cache benchmark once per store in a tiny configuration (1,000 preloaded entries, the
 * 75 % mix only), inside the surefire JVM as {@link BenchmarksSmokeTest} does, so CI notices a
 * store that no longer runs. Not a measurement: the numbers are thrown away.
 *
 * <p>Redis needs a {@code redis-server}: {@link RedisServer} (pmem-cache-redis's tests) starts a
 * private one on a free loopback port, installing Debian's package first when it is missing.
 */
class CacheBenchmarksSmokeTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                CacheStore.PMEM,
                CacheStore.PMEM_FORY,
                "pmem-fory-heap-1pct",
                CacheStore.PMEM_HEAP,
                CacheStore.CAFFEINE,
                CacheStore.CONCURRENT_MAP,
                CacheStore.EHCACHE_OFFHEAP,
                CacheStore.EHCACHE_DISK
            })
    void cacheBenchmarkRuns(String store) throws RunnerException {
        Collection<RunResult> results = run(store, "getHit|getHitAndRead|getMiss|put|mix");

        assertThat(results).hasSize(5); // getHit, getHitAndRead, getMiss, put, mix
        assertPositiveScores(results);
    }

    @ParameterizedTest
    @ValueSource(strings = {JCacheStore.PMEM, JCacheStore.EHCACHE_DISK, JCacheStore.CAFFEINE})
    void jcacheBenchmarkRuns(String store) throws RunnerException {
        Collection<RunResult> results = new Runner(options(JCacheBenchmark.class, "getHit|put")
                        .param("store", store)
                        .param("entries", "1000")
                        .build())
                .run();

        assertThat(results).hasSize(2);
        assertPositiveScores(results);
    }

    @Test
    void serializationBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results = new Runner(options(SerializationBenchmark.class, "serialize.*|deserialize.*")
                        .build())
                .run();

        assertThat(results).hasSize(8); // JDK, JdkValueSerializer, Fory, Kryo; each both ways
        assertPositiveScores(results);
    }

    @Test
    void redisRuns(@TempDir Path dir) throws RunnerException {
        try (RedisServer server = RedisServer.start(dir.resolve("redis"))) {
            System.setProperty(CacheStore.REDIS_PROPERTY, server.host() + ":" + server.port());
            // Only the mix (gets and puts): each benchmark method costs a Lettuce client start.
            Collection<RunResult> results = run(CacheStore.REDIS, "mix");

            assertThat(results).hasSize(1);
            assertPositiveScores(results);
        } finally {
            System.clearProperty(CacheStore.REDIS_PROPERTY);
        }
    }

    private static Collection<RunResult> run(String store, String methods) throws RunnerException {
        return new Runner(options(CacheBenchmark.class, methods)
                        .param("store", store)
                        .param("entries", "1000")
                        .param("readPercent", "75")
                        .build())
                .run();
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
