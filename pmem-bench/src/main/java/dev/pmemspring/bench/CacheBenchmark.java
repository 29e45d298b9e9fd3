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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import org.springframework.cache.Cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Spring cache providers side by side, through Spring's {@link Cache} interface only (what
 * {@code @Cacheable} calls): throughput in ops/s, summed over the threads (run with {@code -t 1}
 * and {@code -t 2}).
 *
 * <p>{@code store}: see {@link CacheStore} for how each one is configured.
 * <ul>
 *   <li>{@code pmem}: ours, {@code PmemCacheManager} over a {@code PROCESS}-durability pool in
 *       {@link BenchPools#DIR}, no heap tier (every hit deserializes from the pool);</li>
 *   <li>{@code pmem-heap}: the same with a heap tier as large as the preloaded entries, the heap
 *       footprint Caffeine has here;</li>
 *   <li>{@code caffeine}: {@code CaffeineCacheManager}, bounded, in heap, by reference;</li>
 *   <li>{@code concurrent-map}: {@code ConcurrentMapCacheManager}, in heap, by reference;</li>
 *   <li>{@code ehcache-disk}: Ehcache 3 through {@code JCacheCacheManager}, persistent disk tier
 *       behind a one-entry heap tier;</li>
 *   <li>{@code ehcache-offheap}: Ehcache 3 through {@code JCacheCacheManager}, one tier in direct
 *       memory, not persistent (every hit deserializes, as ours without a heap tier);</li>
 *   <li>{@code redis}: {@code RedisCacheManager} over Lettuce, against a {@code redis-server} on
 *       loopback (needs {@value CacheStore#REDIS_ENV}), puts waiting for the
 *       server's reply ({@code immediateWrites}).</li>
 * </ul>
 *
 * <p>Each trial preloads {@code entries} entries: {@code String} keys ({@code "product:<n>"}) and
 * {@link Product} values (about 100 bytes of fields, {@value Product#SERIALIZED_SIZE} bytes
 * JDK-serialized). Hits, overwrites and the mixes choose among the preloaded keys by a Zipfian
 * sequence (skew 0.99, precomputed per thread, as in {@link MapBenchmark}); misses ask for keys
 * never put. {@code getHit} returns the value unread; {@code getHitAndRead} then reads four of its
 * fields, as a caller does. A put overwrites an existing key with this thread's own
 * {@link Product}, so the cache's size does not change while measuring.
 *
 * <p>Not in the default matrix: {@code redis-async}, Redis with Spring Data Redis 4's default
 * fire-and-forget puts (see {@link CacheStore.RedisStore}), and {@code pmem-heap-10pct}, a heap
 * tier of a tenth of the entries (the Zipfian hot set, about 80 % of the accesses).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--enable-native-access=ALL-UNNAMED",
            // for Fory (the -fory stores), which otherwise falls back to sun.misc.Unsafe
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "-Xms2g",
            "-Xmx2g",
            // Fault the heap in before measuring: on a VM the first touch of a page is a costly fault
            // (docs/benchmarks.md, "Heap page faults")
            "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages"
        })
@State(Scope.Benchmark)
public class CacheBenchmark {

    @Param({
        CacheStore.PMEM,
        CacheStore.PMEM_HEAP,
        CacheStore.CAFFEINE,
        CacheStore.CONCURRENT_MAP,
        CacheStore.EHCACHE_DISK,
        CacheStore.EHCACHE_OFFHEAP,
        CacheStore.REDIS
    })
    public String store;

    /** Preloaded entries. */
    @Param({"100000"})
    public int entries;

    CacheStore opened;
    Cache cache;
    String[] hitKeys;
    String[] missKeys;

    @Setup(Level.Trial)
    public void openAndPreload() {
        check(
                serializedSize(Product.sample(0, 0)) == Product.SERIALIZED_SIZE,
                "Product.SERIALIZED_SIZE is out of date: " + serializedSize(Product.sample(0, 0)));
        hitKeys = keys("product:", entries);
        missKeys = keys("missing:", entries);
        opened = CacheStore.open(store, entries);
        try {
            cache = opened.cache();
            opened.preload(hitKeys, i -> Product.sample(i, 0));
            Cache.ValueWrapper last = cache.get(hitKeys[entries - 1]);
            check(last != null && Product.sample(entries - 1, 0).equals(last.get()), "a preloaded entry is missing");
            check(cache.get(missKeys[0]) == null, "a key never put is present");
        } catch (RuntimeException | Error e) {
            opened.close();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (opened != null) {
            try {
                // Still holds every key (puts only overwrite).
                check(cache.get(hitKeys[entries / 2]) != null, "a preloaded entry went missing while measuring");
            } finally {
                opened.close();
            }
        }
    }

    static String[] keys(String prefix, int count) {
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = prefix + i;
        }
        return keys;
    }

    static int serializedSize(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what);
        }
    }

    /** This thread's key sequence and the value it puts. */
    @State(Scope.Thread)
    public static class Worker {
        int[] sequence;
        int cursor;
        Product value;
        int thread;

        @Setup(Level.Trial)
        public void prepare(CacheBenchmark bench, ThreadParams threads) {
            thread = threads.getThreadIndex();
            sequence = MapWorkload.zipfianSequence(bench.entries, 0x1234_5678L + 31L * thread);
            value = Product.sample(thread, 1 + thread);
        }

        int next() {
            return sequence[cursor++ & MapWorkload.SEQUENCE_MASK];
        }
    }

    /** Whether each op of the mix reads or writes, precomputed per thread. */
    @State(Scope.Thread)
    public static class Mix {
        @Param({"100", "75", "25"})
        public int readPercent;

        boolean[] reads;
        int cursor;

        @Setup(Level.Trial)
        public void prepare(Worker worker) {
            reads = MapWorkload.coinSequence(readPercent, 99 + worker.thread);
        }

        boolean read() {
            return reads[cursor++ & MapWorkload.SEQUENCE_MASK];
        }
    }

    /** A hit; the value is taken out of its wrapper (a miss here would throw). */
    @Benchmark
    public Object getHit(Worker worker) {
        return cache.get(hitKeys[worker.next()]).get();
    }

    /**
     * A hit whose value is then read, as the caller of a cached method reads what it gets: a char
     * of the SKU, the name's length, the price and the stock. A heap cache hands out the object it
     * holds, which may have left the CPU's cache (keys outside the hot set); the pool hands out one
     * it has just made.
     */
    @Benchmark
    public long getHitAndRead(Worker worker) {
        Product p = (Product) cache.get(hitKeys[worker.next()]).get();
        return p.sku().charAt(4) + p.name().length() + p.priceCents() + p.stock();
    }

    @Benchmark
    public Cache.ValueWrapper getMiss(Worker worker) {
        return cache.get(missKeys[worker.next()]);
    }

    /**
     * An overwrite of a preloaded key. (With {@code redis-async}, a put that only queued its
     * command: see {@link CacheStore.RedisStore}.)
     */
    @Benchmark
    public void put(Worker worker) {
        cache.put(hitKeys[worker.next()], worker.value);
    }

    /** {@code readPercent} % gets, the rest puts (overwrites), of Zipfian-chosen preloaded keys. */
    @Benchmark
    public Object mix(Worker worker, Mix mix) {
        String key = hitKeys[worker.next()];
        if (mix.read()) {
            return cache.get(key).get();
        }
        cache.put(key, worker.value);
        return null;
    }
}
