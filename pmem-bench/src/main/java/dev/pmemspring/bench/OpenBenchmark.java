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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Time to open a pool that holds many live objects and get the first allocation out of it.
 *
 * <p>One op (a single shot) is {@code PmemPool.open} (header checks, redo-log recovery, rebuilding
 * the allocator's volatile state) plus one 64 B {@code allocate}. Freeing that block and closing the
 * pool happen after the shot and are not timed. The pool ({@code objects} live 64 B blocks, each
 * published in a persistent handle array reachable from the root) is filled by a separate JVM.
 *
 * <p>Compared with PMDK's {@code pmemobj_open} plus the first 64 B {@code pmemobj_alloc} (where PMDK
 * rebuilds its heap state) on a pool filled the same way, in two readings:
 * <ul>
 *   <li>the first shot of a fresh JVM ({@code -wi 0 -i 1}, several forks): class loading and
 *       interpreted code included, against PMDK's {@code open-time}, timed in a freshly exec'd
 *       process;</li>
 *   <li>later shots, after warm-up: a reopen in a warm process, against PMDK's
 *       {@code open-time-inproc}.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class OpenBenchmark extends PoolBenchmarkState {

    static final long OBJECT_SIZE = 64;
    /** Root fields: the handle of the handle array, and how many objects it holds. */
    static final long ROOT_ARRAY = 0;

    static final long ROOT_COUNT = 8;
    static final PoolOptions OPTIONS = PoolOptions.layout("bench-open").withDurability(Durability.PROCESS);

    @Param({"200000", "2000000"})
    public int objects;

    private long block;

    @Override
    protected String poolName() {
        return "open";
    }

    @Override
    protected PmemPool preparePool(Path path) throws IOException, InterruptedException {
        quietPoolOpens();
        // Filled by another JVM, so the first shot in this one meets what an application starting
        // up meets: the pool's classes not loaded, its code not compiled (run with -wi 0 -i 1 to
        // time exactly that; later shots time a warm reopen).
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElseThrow(() -> new IllegalStateException("cannot find this JVM's java command"));
        Process filler = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        OpenBenchmark.class.getName(),
                        path.toString(),
                        Integer.toString(objects))
                .inheritIO()
                .start();
        if (filler.waitFor() != 0) {
            throw new IllegalStateException("filling " + path + " with " + objects + " objects failed (exit "
                    + filler.exitValue() + "); see the output above");
        }
        return null;
    }

    /**
     * The filler: {@code OpenBenchmark POOL OBJECTS} creates the pool and publishes {@code OBJECTS}
     * 64 B blocks into a handle array reachable from the root.
     */
    public static void main(String[] args) {
        quietPoolOpens();
        fill(Path.of(args[0]), Integer.parseInt(args[1]));
    }

    static void fill(Path path, int objects) {
        // The objects and their handles, a quarter more for run headers and partly used runs,
        // and a fixed margin for the metadata regions.
        long size = objects * (OBJECT_SIZE + 8) * 5 / 4 + (64L << 20);
        try (PmemPool filling = PmemPool.create(path, OPTIONS.withSize(size))) {
            MemoryBlock root = filling.root(16);
            long arrayHandle = filling.allocateInto(
                    root.fieldHandle(ROOT_ARRAY), objects * 8L, array -> array.fill(0, array.size(), (byte) 0));
            MemoryBlock array = filling.block(arrayHandle);
            for (int i = 0; i < objects; i++) {
                long value = i;
                filling.allocateInto(array.fieldHandle(i * 8L), OBJECT_SIZE, b -> b.putLong(0, value));
            }
            root.putLong(ROOT_COUNT, objects);
            root.persist(ROOT_COUNT, 8);
        }
    }

    @Benchmark
    public long openAndAllocate() {
        pool = PmemPool.open(path, OPTIONS);
        block = pool.allocate(OBJECT_SIZE);
        return block;
    }

    /**
     * Untimed: checks that the pool still holds what was filled in, gives the block back so the
     * pool does not grow from shot to shot, and closes it for the next shot.
     */
    @TearDown(Level.Invocation)
    public void freeAndClose() {
        try {
            MemoryBlock root = pool.root(16);
            long last = pool.block(root.getLong(ROOT_ARRAY)).getLong((objects - 1) * 8L);
            if (root.getLong(ROOT_COUNT) != objects || last == 0) {
                throw new IllegalStateException(
                        "the reopened pool does not hold the " + objects + " objects filled in");
            }
            pool.free(block);
        } finally {
            pool.close();
        }
    }
}
