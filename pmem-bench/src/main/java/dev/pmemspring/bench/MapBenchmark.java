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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The persistent map against its peers: one op is one map call, measured as average time per op
 * as one thread sees it (run with {@code -t 1} and {@code -t 2}).
 *
 * <p>{@code impl}:
 * <ul>
 *   <li>{@code pmem}: {@code PmemMap} in a {@code PROCESS}-durability pool in {@link BenchPools#DIR}
 *       (a completed put survives {@code kill -9});</li>
 *   <li>{@code chm}: {@code ConcurrentHashMap<ByteBuffer, byte[]>}, the in-heap ceiling (nothing
 *       persisted);</li>
 *   <li>{@code chronicle}: Chronicle Map 3.25ea6 persisted to a file ({@code createPersistedTo});</li>
 *   <li>{@code mapdb}: MapDB 3.1.0 {@code HTreeMap}, memory-mapped file, no transactions (a process
 *       killed while the file is open leaves a file MapDB will not open again);</li>
 *   <li>{@code mapdb-tx}: the same with {@code transactionEnable()} and a {@code commit()} after
 *       every put.</li>
 * </ul>
 *
 * <p>Each trial preloads {@code keys} 16-byte keys with {@code valueSize}-byte values. Reads and
 * overwrites choose among them by a Zipfian sequence (skew 0.99, precomputed per thread), misses
 * among keys never put. {@link #putNew} puts keys beyond the preloaded set: a fixed number per
 * iteration (single-shot batches, so the map grows by a known amount), removed again between
 * iterations, untimed; its score is per batch, not per put.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--enable-native-access=ALL-UNNAMED",
            "-Xms2g",
            "-Xmx2g",
            // Fault the heap in before measuring: on a VM the first touch of a page is a costly fault
            // (docs/benchmarks.md, "Heap page faults")
            "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages",
            // Chronicle Map on JDK 17+ (harmless for the other implementations):
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true"
        })
@State(Scope.Benchmark)
public class MapBenchmark {

    /** New keys each thread puts per {@link #putNew} iteration (one single-shot batch), by default. */
    static final int NEW_KEYS_PER_ITERATION = 20_000;
    /** The largest batch size {@link #putNew} accepts (the pools and peers are sized for it). */
    static final int MAX_NEW_KEYS_PER_ITERATION = 100_000;

    static {
        // Chronicle reads this when its classes load; also set for runs inside one JVM (forks(0)).
        System.setProperty("chronicle.analytics.disable", "true");
    }

    @Param({MapStore.PMEM, MapStore.CHM, MapStore.CHRONICLE, MapStore.MAPDB, MapStore.MAPDB_TX})
    public String impl;

    @Param({"100", "1024"})
    public int valueSize;

    /** Preloaded keys. */
    @Param({"100000"})
    public int keys;

    MapStore store;
    /**
     * With several threads, JMH may run one thread's end-of-iteration removal of its new keys
     * after another has closed the store at the end of the trial: the removal holds the read
     * lock and skips a closed store; closing holds the write lock.
     */
    final ReadWriteLock storeClosing = new ReentrantReadWriteLock();

    boolean closed;
    byte[][] hitKeys;
    byte[][] missKeys;

    @Setup(Level.Trial)
    public void openAndPreload(BenchmarkParams params) {
        hitKeys = MapWorkload.keys(keys, MapWorkload.PRELOADED);
        missKeys = MapWorkload.keys(keys, MapWorkload.MISSING);
        // Room for the preloaded keys and one putNew iteration of every thread, twice over; the
        // same for every op, so every op meets the same store.
        int batch = Math.max(
                NEW_KEYS_PER_ITERATION,
                Math.max(
                        params.getWarmup().getBatchSize(),
                        params.getMeasurement().getBatchSize()));
        check(batch <= MAX_NEW_KEYS_PER_ITERATION, "batch size above " + MAX_NEW_KEYS_PER_ITERATION);
        long capacity = keys + 2L * batch * params.getThreads();
        store = MapStore.open(impl, valueSize, capacity);
        try {
            store.preload(hitKeys, MapWorkload.value(valueSize, 42));
            check(store.get(hitKeys[keys - 1]) != null, "a preloaded key is missing");
            check(store.get(hitKeys[0]).length == valueSize, "a preloaded value has the wrong size");
            check(store.get(missKeys[0]) == null, "a key never put is present");
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        storeClosing.writeLock().lock();
        try {
            if (store != null && !closed) {
                try {
                    // Still holds what was preloaded (overwrites keep keys, new keys were removed).
                    check(store.get(hitKeys[keys / 2]) != null, "a preloaded key went missing while measuring");
                } finally {
                    closed = true;
                    store.close();
                }
            }
        } finally {
            storeClosing.writeLock().unlock();
        }
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
        byte[] value;
        int thread;

        @Setup(Level.Trial)
        public void prepare(MapBenchmark bench, ThreadParams threads) {
            thread = threads.getThreadIndex();
            sequence = MapWorkload.zipfianSequence(bench.keys, 0x1234_5678L + 31L * thread);
            value = MapWorkload.value(bench.valueSize, 7 + thread);
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

    /** The new keys this thread puts in one iteration; removed again after it. */
    @State(Scope.Thread)
    public static class Fresh {
        byte[][] batch;
        /** How many of the batch were put. */
        int put;

        private long iteration;
        private int thread;

        @Setup(Level.Trial)
        public void prepare(ThreadParams threads) {
            thread = threads.getThreadIndex();
            if (thread > 100) {
                throw new IllegalStateException("at most 100 threads have a namespace of new keys");
            }
        }

        @Setup(Level.Iteration)
        public void makeKeys(IterationParams params) {
            // Fresh indices each iteration, never put before in this trial.
            batch = new byte[params.getBatchSize()][];
            long base = iteration++ * MAX_NEW_KEYS_PER_ITERATION;
            for (int i = 0; i < batch.length; i++) {
                batch[i] = MapWorkload.key(base + i, (byte) (MapWorkload.FRESH + thread));
            }
            put = 0;
        }

        @TearDown(Level.Iteration)
        public void removeKeys(MapBenchmark bench) {
            bench.storeClosing.readLock().lock();
            try {
                if (bench.closed) {
                    return; // the trial is over and its store gone
                }
                if (put > 0) {
                    check(bench.store.get(batch[put - 1]) != null, "a new key just put is missing");
                }
                bench.store.removeAll(batch, put);
                if (put > 0) {
                    check(bench.store.get(batch[0]) == null, "a new key is still there after its removal");
                }
            } finally {
                bench.storeClosing.readLock().unlock();
            }
        }

        byte[] nextKey() {
            if (put >= batch.length) {
                throw new IllegalStateException(
                        "more puts than the batch size in one putNew iteration:" + " run it in single-shot mode");
            }
            return batch[put++];
        }
    }

    @Benchmark
    public byte[] getHit(Worker worker) {
        return store.get(hitKeys[worker.next()]);
    }

    @Benchmark
    public byte[] getMiss(Worker worker) {
        return store.get(missKeys[worker.next()]);
    }

    @Benchmark
    public void putOverwrite(Worker worker) {
        store.put(hitKeys[worker.next()], worker.value);
    }

    /**
     * A put of a key not in the map. Single shots: each thread makes {@code batchSize} puts per
     * iteration ({@value #NEW_KEYS_PER_ITERATION} unless {@code -bs}/{@code -wbs} say otherwise), so
     * the map grows by a known amount, where a time-bounded loop could fill any pool. <b>JMH reports
     * the time of the whole batch</b>: divide by the batch size ({@code measurementBatchSize} in the
     * JSON) for the time per put, as the map suite's report does. The keys are removed again
     * after each iteration, untimed.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 10, batchSize = NEW_KEYS_PER_ITERATION)
    @Measurement(iterations = 10, batchSize = NEW_KEYS_PER_ITERATION)
    public void putNew(Worker worker, Fresh fresh) {
        store.put(fresh.nextKey(), worker.value);
    }

    /** {@code readPercent} % gets, the rest overwrites, of Zipfian-chosen preloaded keys. */
    @Benchmark
    public byte[] mix(Worker worker, Mix mix) {
        byte[] key = hitKeys[worker.next()];
        if (mix.read()) {
            return store.get(key);
        }
        store.put(key, worker.value);
        return null;
    }
}
