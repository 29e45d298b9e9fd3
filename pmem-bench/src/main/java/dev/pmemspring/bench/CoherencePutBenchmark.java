package dev.pmemspring.bench;

import dev.pmemspring.cache.CoherenceStatus;
import dev.pmemspring.cache.redis.RedisCacheCoherence;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import org.springframework.cache.Cache;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What coherence costs a put: {@code Cache.put} (an overwrite of one of {@code entries} preloaded
 * keys, Zipfian, as in {@link CacheBenchmark}) on one instance, with {@code coherence=none} and
 * with {@code coherence=redis} in the same run; the ratio of the two is the cost.
 *
 * <p>With Redis, each put first records its key in the pool's outbox and a publisher thread sends
 * what waits to a stream on the {@code redis-server} at {@value CacheStore#REDIS_ENV}, in batches.
 * No peer follows in this JVM: peers run on other hosts, and here they would take CPU from the
 * writer. After the measurement the trial waits for the outbox to drain and fails if any change was
 * turned into a forced clear (the publisher fell behind the outbox's bound), so a result always
 * means every change was sent.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "-Xms2g",
            "-Xmx2g",
            "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages"
        })
@State(Scope.Benchmark)
public class CoherencePutBenchmark {

    @Param({"none", "redis"})
    public String coherence;

    /** Preloaded entries. */
    @Param({"100000"})
    public int entries;

    CoherentInstance instance;
    Cache cache;
    String[] keys;

    @Setup(Level.Trial)
    public void openAndPreload() {
        String redis = switch (coherence) {
            case "none" -> null;
            case "redis" ->
                CacheStore.redisAddress(
                        "coherence=redis", "the coherence suite starts one and sets it), or run -p coherence=none");
            default -> throw new IllegalArgumentException("coherence is none or redis, not " + coherence);
        };
        keys = CacheBenchmark.keys("product:", entries);
        instance = new CoherentInstance(entries, 0, redis, "pmem:bench:put:" + UUID.randomUUID());
        cache = instance.cache();
        for (int i = 0; i < entries; i++) {
            cache.put(keys[i], Product.sample(i, 0));
        }
        awaitSent();
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            CoherenceStatus sent = awaitSent();
            if (sent != null) {
                System.out.println("coherence after the trial: published " + sent.published() + ", pending "
                        + sent.pending() + ", forced clears " + sent.forcedClears());
                CacheBenchmark.check(
                        sent.forcedClears() == 0,
                        "the outbox overflowed (" + sent.forcedClears() + " forced clears): not every change was sent");
            }
        } finally {
            instance.close();
        }
    }

    /** Waits until every recorded change was sent (up to a minute); the status then, or null without Redis. */
    private CoherenceStatus awaitSent() {
        RedisCacheCoherence c = instance.coherence();
        if (c == null) {
            return null;
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (c.status().pending() > 0) {
            CacheBenchmark.check(System.nanoTime() < deadline, "changes still unsent after a minute: " + c.status());
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return c.status();
    }

    /** This thread's key sequence and the value it puts. */
    @State(Scope.Thread)
    public static class Worker {
        int[] sequence;
        int cursor;
        Product value;

        @Setup(Level.Trial)
        public void prepare(CoherencePutBenchmark bench, ThreadParams threads) {
            int thread = threads.getThreadIndex();
            sequence = MapWorkload.zipfianSequence(bench.entries, 0x1234_5678L + 31L * thread);
            value = Product.sample(thread, 1 + thread);
        }

        int next() {
            return sequence[cursor++ & MapWorkload.SEQUENCE_MASK];
        }
    }

    @Benchmark
    public void put(Worker worker) {
        cache.put(keys[worker.next()], worker.value);
    }
}
