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
 * Persistent allocator throughput: one op is one allocation immediately followed by its free,
 * measured as average time per op and per thread (run with {@code -t 1} and {@code -t 2} so the
 * numbers line up with the threads column of the PMDK baseline).
 *
 * <ul>
 *   <li>{@link #allocateFree}: {@code allocate(size)} then {@code free(handle)}, the handle held in
 *       a Java local. Compared with PMDK's {@code alloc-free}: {@code pmemobj_alloc} into a volatile
 *       (stack) {@code PMEMoid} then {@code pmemobj_free}, where PMDK has no destination to log.</li>
 *   <li>{@link #allocateIntoFree}: {@code allocateInto(field, size, null)} then
 *       {@code freeFrom(field)}, where the field is this thread's persistent slot in the root object.
 *       This is the crash-safe, published path: the block and the pointer to it change in one
 *       atomic step. Compared with PMDK's {@code alloc-into-free}: {@code pmemobj_alloc} into this
 *       thread's {@code PMEMoid} slot in the root object, then {@code pmemobj_free} of that slot.</li>
 * </ul>
 *
 * <p>Each trial gets a fresh 1 GiB pool in {@link BenchPools#DIR}, as the PMDK baseline does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class AllocatorBenchmark extends PoolBenchmarkState {

    /** The most threads the root has slots for. */
    static final int MAX_THREADS = 64;
    /** One cache line per thread slot, so two threads' slots never share a line. */
    static final long SLOT_STRIDE = 64;

    static final long POOL_SIZE = 1L << 30;

    @Param({"64", "256", "4096", "1048576"})
    public long size;

    @Param({"PROCESS", "SYNC"})
    public Durability durability;

    MemoryBlock root;

    @Override
    protected String poolName() {
        return "alloc";
    }

    @Override
    protected PmemPool preparePool(Path path) {
        PmemPool created = PmemPool.create(
                path, PoolOptions.layout("bench-alloc").withSize(POOL_SIZE).withDurability(durability));
        root = created.root(MAX_THREADS * SLOT_STRIDE);
        return created;
    }

    /** This thread's persistent slot in the root object, for the published variant. */
    @State(Scope.Thread)
    public static class Slot {
        long field;

        @Setup(Level.Trial)
        public void pick(AllocatorBenchmark bench, ThreadParams threads) {
            int index = threads.getThreadIndex();
            if (index >= MAX_THREADS) {
                throw new IllegalStateException("at most " + MAX_THREADS + " threads are supported");
            }
            field = bench.root.fieldHandle(index * SLOT_STRIDE);
        }
    }

    @Benchmark
    public long allocateFree() {
        long handle = pool.allocate(size);
        pool.free(handle);
        return handle;
    }

    @Benchmark
    public void allocateIntoFree(Slot slot) {
        // No initializer: like pmemobj_alloc without a constructor, the contents stay undefined.
        pool.allocateInto(slot.field, size, null);
        pool.freeFrom(slot.field);
    }
}
