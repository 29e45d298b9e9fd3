package dev.pmemspring.bench;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.cache.Cache;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The coherence lag: from an evict returning on instance A to the key being gone from instance B,
 * both following one stream on the {@code redis-server} at {@value CacheStore#REDIS_ENV}. Sampled
 * per evict ({@code Mode.SampleTime}: read p50 and p99 off JMH's percentiles).
 *
 * <p>Each op: B holds a key (loaded there before the op, which B does not report), A evicts it,
 * and the op ends when B misses it, polled every 20 µs (a busy poll would take a core from B's
 * follower on a 2-core machine; the poll adds up to its period plus a timer slack to each sample).
 * That is publish (A's publisher thread wakes, appends to the stream) plus apply (B's blocking
 * read returns, B drops the key from its pool), on loopback.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "-Xms1g",
            "-Xmx1g",
            "-XX:+AlwaysPreTouch"
        })
@State(Scope.Benchmark)
public class CoherenceLagBenchmark {

    /** Keys B may hold. */
    @Param({"10000"})
    public int entries;

    CoherentInstance a;
    CoherentInstance b;
    Cache onA;
    Cache onB;
    String[] keys;
    final SplittableRandom random = new SplittableRandom(42);
    String key;

    @Setup(Level.Trial)
    public void open() {
        String redis = CacheStore.redisAddress("CoherenceLagBenchmark", "the coherence suite starts one and sets it)");
        String stream = "pmem:bench:lag:" + UUID.randomUUID();
        keys = CacheBenchmark.keys("product:", entries);
        a = new CoherentInstance(entries, 0, redis, stream);
        try {
            b = new CoherentInstance(entries, 0, redis, stream);
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
        onA = a.cache();
        onB = b.cache();
    }

    /** B loads a key A will evict; a load is not reported, so nothing travels before the op. */
    @Setup(Level.Invocation)
    public void loadOnB() {
        key = keys[random.nextInt(entries)];
        Product value = Product.sample(key.hashCode(), 0);
        onB.get(key, () -> value);
        CacheBenchmark.check(onB.get(key) != null, "B did not store its load of " + key);
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            b.close();
        } finally {
            a.close();
        }
    }

    @Benchmark
    public void evictSeenByPeer() {
        onA.evict(key);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (onB.get(key) != null) {
            CacheBenchmark.check(System.nanoTime() < deadline, "B still holds " + key + " 10 s after A evicted it");
            LockSupport.parkNanos(20_000);
        }
    }
}
