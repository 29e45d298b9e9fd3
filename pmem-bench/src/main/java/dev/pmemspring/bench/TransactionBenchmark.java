package dev.pmemspring.bench;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Transaction throughput, op for op against PMDK's {@code tx-snapshot} and {@code tx-alloc}
 * (see {@code native/pmdk_bench.c}), as average time per op and per thread (run with {@code -t 1}
 * and {@code -t 2}, like {@link AllocatorBenchmark}).
 *
 * <ul>
 *   <li>{@link #snapshotWrite}: each thread has its own block of {@code size} bytes, allocated
 *       zeroed and published in the thread's root slot before the trial (as PMDK's
 *       {@code pmemobj_zalloc} into {@code root->slots[i]}). One op is one transaction that
 *       snapshots the whole block and overwrites it with a new byte value: PMDK's
 *       {@code TX_BEGIN { pmemobj_tx_add_range(whole object); memset } TX_END}.</li>
 *   <li>{@link #allocFreePair}: one op is two transactions, as in PMDK's {@code tx-alloc}, which
 *       reports ns per pair: the first allocates 256 B and stores the handle in the thread's
 *       persistent slot in the root object ({@code tx.putLong}, which snapshots the slot); the
 *       second frees the block and clears the slot.</li>
 * </ul>
 *
 * <p>Each trial gets a fresh 1 GiB pool in {@link BenchPools#DIR}, as the PMDK baseline does.
 * The threads' slots lie 64 bytes apart in one root block, as PMDK's do; our transactions lock
 * only the ranges they write, so two threads' {@code allocFreePair} transactions do not wait for
 * each other there, though their writes share the root's page (PMDK takes no lock at all: it does
 * not isolate transactions); {@code -p slotIn=own} gives each thread a slot in a block of its own
 * instead, to measure what sharing the root block costs.
 *
 * <p>The default warm-up is longer than {@link AllocatorBenchmark}'s: the transaction path is far
 * more code than an allocation, and on a 2-vCPU machine C2 needs several seconds of it before the
 * per-op time settles.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class TransactionBenchmark extends PoolBenchmarkState {

    static final int MAX_THREADS = AllocatorBenchmark.MAX_THREADS;
    static final long SLOT_STRIDE = AllocatorBenchmark.SLOT_STRIDE;
    static final long POOL_SIZE = 1L << 30;
    /** PMDK's tx-alloc size. */
    static final long ALLOC_SIZE = 256;

    @Param({"PROCESS", "SYNC"})
    public Durability durability;

    MemoryBlock root;

    @Override
    protected String poolName() {
        return "tx";
    }

    @Override
    protected PmemPool preparePool(Path path) {
        PmemPool created = PmemPool.create(
                path, PoolOptions.layout("bench-tx").withSize(POOL_SIZE).withDurability(durability));
        root = created.root(MAX_THREADS * SLOT_STRIDE);
        return created;
    }

    static long slotOf(TransactionBenchmark bench, ThreadParams threads) {
        int index = threads.getThreadIndex();
        if (index >= MAX_THREADS) {
            throw new IllegalStateException("at most " + MAX_THREADS + " threads are supported");
        }
        return bench.root.fieldHandle(index * SLOT_STRIDE);
    }

    /** This thread's block for {@link #snapshotWrite}, published in its root slot. */
    @State(Scope.Thread)
    public static class OwnBlock {
        /** Only {@link #snapshotWrite} uses this state, so only it runs once per size. */
        @Param({"64", "4096"})
        public long size;

        MemoryBlock block;
        long handle;
        int seq;

        @Setup(Level.Trial)
        public void allocate(TransactionBenchmark bench, ThreadParams threads) {
            handle = bench.pool.allocateInto(slotOf(bench, threads), size, b -> b.fill(0, size, (byte) 0));
            block = bench.pool.block(handle);
        }
    }

    /** This thread's persistent slot, for {@link #allocFreePair}. */
    @State(Scope.Thread)
    public static class Slot {
        /**
         * Where the slot lives: {@code root}, this thread's field in the root object, as PMDK's
         * tx-alloc (the default, and what the suite runs); {@code own}, the first field of a 64 B
         * block of this thread's own, published in its root field: the control that shows what
         * the threads' sharing of the root block costs.
         */
        @Param({"root"})
        public String slotIn;

        /** The slot as a pool offset (for {@code tx.putLong}), and the block holding it. */
        long field;

        MemoryBlock holder;
        long offsetInHolder;

        @Setup(Level.Trial)
        public void pick(TransactionBenchmark bench, ThreadParams threads) {
            long rootField = slotOf(bench, threads);
            switch (slotIn) {
                case "root" -> {
                    holder = bench.root;
                    field = rootField;
                }
                case "own" -> {
                    long own = bench.pool.allocateInto(rootField, 64, b -> b.fill(0, 64, (byte) 0));
                    holder = bench.pool.block(own);
                    field = holder.fieldHandle(0);
                }
                default -> throw new IllegalArgumentException("slotIn must be root or own: " + slotIn);
            }
            offsetInHolder = field - holder.handle();
        }
    }

    @Benchmark
    public void snapshotWrite(OwnBlock own) {
        byte value = (byte) ++own.seq;
        pool.transaction(tx -> {
            tx.snapshot(own.handle, own.size);
            own.block.fill(0, own.size, value);
        });
    }

    @Benchmark
    public long allocFreePair(Slot slot) {
        long field = slot.field;
        long handle = pool.transactionResult(tx -> {
            long h = tx.allocate(ALLOC_SIZE);
            tx.putLong(field, h);
            return h;
        });
        pool.transaction(tx -> {
            tx.free(slot.holder.getLong(slot.offsetInHolder));
            tx.putLong(field, 0);
        });
        return handle;
    }
}
