package dev.pmemspring.bench;

import java.util.concurrent.TimeUnit;

import javax.cache.Cache;

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

/**
 * JCache providers side by side through {@code javax.cache.Cache} only (what Hibernate's
 * second-level cache and other JCache users call): hits and overwrites of preloaded entries,
 * throughput in ops/s summed over the threads (run with {@code -t 1} and {@code -t 2}). The same
 * workload as {@link CacheBenchmark}: {@code entries} {@link Product}s under {@code String} keys,
 * Zipfian keys (skew 0.99) precomputed per thread. See {@link JCacheStore} for the stores.
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
public class JCacheBenchmark {

    @Param({JCacheStore.PMEM, JCacheStore.EHCACHE_DISK, JCacheStore.CAFFEINE})
    public String store;

    /** Preloaded entries. */
    @Param({"100000"})
    public int entries;

    JCacheStore opened;
    Cache<String, Product> cache;
    String[] keys;

    @Setup(Level.Trial)
    public void openAndPreload() {
        keys = CacheBenchmark.keys("product:", entries);
        opened = JCacheStore.open(store);
        try {
            cache = opened.cache();
            for (int i = 0; i < entries; i++) {
                cache.put(keys[i], Product.sample(i, 0));
            }
            CacheBenchmark.check(
                    Product.sample(entries - 1, 0).equals(cache.get(keys[entries - 1])),
                    "a preloaded entry is missing");
        } catch (RuntimeException | Error e) {
            opened.close();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (opened != null) {
            try {
                CacheBenchmark.check(cache.get(keys[entries / 2]) != null, "a preloaded entry went missing");
            } finally {
                opened.close();
            }
        }
    }

    /** This thread's key sequence and the value it puts. */
    @State(Scope.Thread)
    public static class Worker {
        int[] sequence;
        int cursor;
        Product value;

        @Setup(Level.Trial)
        public void prepare(JCacheBenchmark bench, ThreadParams threads) {
            int thread = threads.getThreadIndex();
            sequence = MapWorkload.zipfianSequence(bench.entries, 0x1234_5678L + 31L * thread);
            value = Product.sample(thread, 1 + thread);
        }

        int next() {
            return sequence[cursor++ & MapWorkload.SEQUENCE_MASK];
        }
    }

    /** A hit (a miss would fail the trial's last check, not go unnoticed: every key stays). */
    @Benchmark
    public Product getHit(Worker worker) {
        return cache.get(keys[worker.next()]);
    }

    /** An overwrite of a preloaded key. */
    @Benchmark
    public void put(Worker worker) {
        cache.put(keys[worker.next()], worker.value);
    }
}
