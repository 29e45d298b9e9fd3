package dev.pmemspring.bench;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.RecoveryReport;
import dev.pmemspring.core.Transaction;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Recovery time after a crash, with little and with much live data: the issue asks that it stay
 * in the same order of magnitude, not grow with the live data.
 *
 * <p>Per trial (untimed), a pool of {@code poolMiB} is filled with {@code liveMiB} of live data in
 * 4 KiB blocks, each published in a persistent handle table reachable from the root. Per shot
 * (untimed), a thread opens the pool, begins a transaction that snapshots and overwrites
 * {@value #SNAPSHOTS} ranges of {@value #RANGE} bytes in as many blocks, allocates
 * {@value #ALLOCS} blocks and frees {@value #FREES} live ones (clearing their table slots), then
 * closes the pool without committing and ends. Closing leaves the undo log valid, exactly as a
 * crash at that point would (the close only unmaps the file and marks the shutdown clean, which
 * does not stop undo recovery), so the next open rolls the transaction back.
 *
 * <p>One shot (timed) is {@code PmemPool.open}: header checks, redo replay, undo rollback of the
 * interrupted transaction, reading the chunk table to rebuild the allocator's volatile state
 * (runs themselves are read by a background thread that open starts, so that part is not timed),
 * and setting up the pool object. After the shot (untimed) the benchmark checks that exactly one
 * transaction was rolled back and that every change it made is undone. The pool's own measure,
 * {@link RecoveryReport#time()}, is reported as the secondary result {@code recoveryNanos}: its
 * raw data holds one value per shot (JMH's score for it is their sum). It covers open up to the
 * recovery report, so it leaves out building the pool object (transaction engine, transaction locks).
 * The CPU time the opening thread used in the open is reported as {@code openCpuNanos}.
 *
 * <p>All sizes share one pool size, so only the amount of live data differs between them. The
 * interrupted transaction's blocks are spread evenly over the first {@code txSpanMiB} of live data
 * ({@code all}: over all of it). With {@code txSpanMiB=10} a large pool is rolled back from the
 * same pattern of pages as the 10 MiB pool: the control that separates "more live data" from
 * "the same number of ranges scattered over more address space" (each open maps the file anew,
 * so every page the rollback writes is a fresh page fault).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 30)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class RecoveryBenchmark extends PoolBenchmarkState {

    static final long BLOCK_SIZE = 4096;
    static final int SNAPSHOTS = 100;
    static final int RANGE = 64;
    static final int ALLOCS = 4;
    static final int FREES = 4;
    /** Root fields: the handle table's handle and the number of blocks in it. */
    static final long ROOT_TABLE = 0;

    static final long ROOT_COUNT = 8;
    static final byte DIRTY = (byte) 0xA5;

    /** Live data in the pool, in MiB of 4 KiB blocks. */
    @Param({"10", "100", "1024"})
    public int liveMiB;

    /** The pool file's size; the same for every liveMiB so only the live data changes. */
    @Param({"1536"})
    public int poolMiB;

    @Param({"PROCESS", "SYNC"})
    public Durability durability;

    /** How much of the live data, from the start, the interrupted transaction's blocks span. */
    @Param({"all", "10"})
    public String txSpanMiB;

    private PoolOptions options;
    private int blocks;
    private long objects;
    /** The shot number, so each shot's transaction touches other blocks. */
    private int shot;

    private int[] touched;
    private int[] freedSlots;

    /**
     * Per shot (JMH zeroes them before each iteration, which is one shot): {@link RecoveryReport#time()},
     * and the CPU time the opening thread itself used during the open. Wall time well above that
     * CPU time is time spent waiting for a CPU (other threads, including the pool's background run
     * reader, and other processes), not work of the open.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Recovery {
        public long recoveryNanos;
        public long openCpuNanos;
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Override
    protected String poolName() {
        return "recovery";
    }

    /** Fills the pool with {@code liveMiB} of published 4 KiB blocks and closes it cleanly. */
    @Override
    protected PmemPool preparePool(Path path) {
        quietPoolOpens();
        long live = (long) liveMiB << 20;
        blocks = Math.toIntExact(live / BLOCK_SIZE);
        if (blocks < SNAPSHOTS + FREES) {
            throw new IllegalArgumentException("liveMiB too small: need at least " + (SNAPSHOTS + FREES) + " blocks");
        }
        options = PoolOptions.layout("bench-recovery").withDurability(durability);
        // Filled in PROCESS mode, which is quicker; the pool is closed cleanly after it.
        try (PmemPool filling =
                PmemPool.create(path, options.withSize((long) poolMiB << 20).withDurability(Durability.PROCESS))) {
            MemoryBlock root = filling.root(16);
            long tableHandle =
                    filling.allocateInto(root.fieldHandle(ROOT_TABLE), blocks * 8L, t -> t.fill(0, t.size(), (byte) 0));
            MemoryBlock table = filling.block(tableHandle);
            for (int i = 0; i < blocks; i++) {
                int index = i;
                filling.allocateInto(table.fieldHandle(i * 8L), BLOCK_SIZE, b -> stamp(b, index));
            }
            root.putLong(ROOT_COUNT, blocks);
            root.persist(ROOT_COUNT, 8);
        }
        return null;
    }

    /** Block i holds i in each word of its first {@value #RANGE} bytes; the rest is left as is. */
    static void stamp(MemoryBlock block, long index) {
        for (int w = 0; w < RANGE; w += 8) {
            block.putLong(w, index);
        }
    }

    /** Untimed: leaves the pool with one interrupted transaction, as a crash would. */
    @Setup(Level.Invocation)
    public void interruptTransaction() throws InterruptedException {
        shot++;
        touched = new int[SNAPSHOTS];
        freedSlots = new int[FREES];
        // Spread evenly over the span, shifted each shot.
        int span = txSpanMiB.equals("all")
                ? blocks
                : (int) Math.min(blocks, ((long) Integer.parseInt(txSpanMiB) << 20) / BLOCK_SIZE);
        if (span < SNAPSHOTS + FREES) {
            throw new IllegalArgumentException("txSpanMiB too small: need at least " + (SNAPSHOTS + FREES) + " blocks");
        }
        long stride = span / (SNAPSHOTS + FREES);
        for (int i = 0; i < SNAPSHOTS; i++) {
            touched[i] = (int) ((i * stride + shot) % span);
        }
        for (int i = 0; i < FREES; i++) {
            freedSlots[i] = (int) (((SNAPSHOTS + i) * stride + shot) % span);
        }
        // In a thread of its own that ends afterwards, as a crashed process would: the open
        // transaction stays behind in that thread only, not in the benchmark thread.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread crashing = new Thread(
                () -> {
                    try {
                        crashMidTransaction();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "interrupted-transaction");
        crashing.start();
        crashing.join();
        if (failure.get() != null) {
            throw new IllegalStateException("could not set up the interrupted transaction", failure.get());
        }
    }

    private void crashMidTransaction() {
        PmemPool p = PmemPool.open(path, options);
        MemoryBlock table = p.block(p.root(16).getLong(ROOT_TABLE));
        // A committed transaction of the same shape first, which changes nothing: if the lane's
        // undo log needs an extension block for this many entries, it is allocated (and stays
        // attached) here, so the object count before the interrupted transaction is final.
        p.transaction(warm -> {
            for (int index : touched) {
                warm.snapshot(table.getLong(index * 8L), RANGE);
            }
        });
        objects = p.stats().objects();
        Transaction tx = p.begin();
        for (int index : touched) {
            long handle = table.getLong(index * 8L);
            tx.snapshot(handle, RANGE);
            p.block(handle).fill(0, RANGE, DIRTY);
        }
        for (int i = 0; i < ALLOCS; i++) {
            long handle = tx.allocate(BLOCK_SIZE);
            p.block(handle).fill(0, RANGE, DIRTY);
        }
        for (int index : freedSlots) {
            tx.free(table.getLong(index * 8L));
            tx.putLong(table.fieldHandle(index * 8L), 0);
        }
        // No commit: the pool goes away with the transaction open.
        p.close();
    }

    @Benchmark
    public PmemPool recover(Recovery recovery) {
        long cpu = THREADS.getCurrentThreadCpuTime(); // about a microsecond, next to milliseconds
        pool = PmemPool.open(path, options);
        recovery.openCpuNanos = THREADS.getCurrentThreadCpuTime() - cpu;
        recovery.recoveryNanos = pool.lastRecovery().time().toNanos();
        return pool;
    }

    /** Untimed: checks that the transaction was rolled back whole, records the pool's own time. */
    @TearDown(Level.Invocation)
    public void checkAndClose() {
        try {
            RecoveryReport report = pool.lastRecovery();
            if (report.transactionsRolledBack() != 1) {
                throw new IllegalStateException("expected 1 transaction rolled back, got " + report);
            }
            MemoryBlock table = pool.block(pool.root(16).getLong(ROOT_TABLE));
            for (int index : touched) {
                MemoryBlock block = pool.block(table.getLong(index * 8L));
                for (int w = 0; w < RANGE; w += 8) {
                    if (block.getLong(w) != index) {
                        throw new IllegalStateException("block " + index + " was not restored: " + block.getLong(w));
                    }
                }
            }
            for (int index : freedSlots) {
                long handle = table.getLong(index * 8L);
                if (handle == 0 || pool.sizeOf(handle) != BLOCK_SIZE) {
                    throw new IllegalStateException("the free of block " + index + " was not undone");
                }
            }
            long now = pool.stats().objects();
            if (now != objects) {
                throw new IllegalStateException("the pool holds " + now + " objects, expected " + objects
                        + ": the transaction's allocations or frees were not undone");
            }
        } finally {
            pool.close();
        }
    }
}
