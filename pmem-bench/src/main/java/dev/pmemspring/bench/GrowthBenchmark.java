package dev.pmemspring.bench;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
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

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What growing costs. Single shots, each on a pool of its own in {@link BenchPools#DIR}.
 *
 * <ul>
 *   <li>{@link #growthStep}: one growth by {@code stepMiB}, alone. The shot's pool is full (its
 *       whole heap taken by one block, untimed), so allocating one more chunk grows it: extending
 *       the file ({@code posix_fallocate}, and {@code fsync} in {@code SYNC}), the new span's
 *       header, both header copies. The score is that allocation, growth included.</li>
 *   <li>{@link #putsThatGrowThePool}: {@value #PUTS} puts of new keys (1 KiB values, about 110 MiB
 *       stored) into a {@code PmemMap}. With {@code pool=growing} the pool starts at 8 MiB and grows
 *       by {@code stepMiB} as the puts need; with {@code pool=fixed} it was created at 256 MiB and
 *       never grows. The ratio of the two is what growth costs the writes that meet it; the
 *       counter {@code growths} says how many happened in the shot.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class GrowthBenchmark {

    static final int PUTS = 100_000;
    private static final long MIB = 1 << 20;

    /** How many times the pool grew during the shot. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Growths {
        public long growths;
    }

    /** A pool created at 8 MiB that may grow to 4 GiB, its heap taken by one block. */
    @State(Scope.Thread)
    public static class FullPool {
        @Param({"PROCESS", "SYNC"})
        public Durability durability;

        @Param({"64"})
        public int stepMiB;

        Path path;
        PmemPool pool;

        @Setup(Level.Invocation)
        public void fill() {
            path = BenchPools.newPath("growth-step");
            pool = PmemPool.create(
                    path,
                    PoolOptions.layout("bench-growth")
                            .withSize(8 * MIB)
                            .withMaxSize(4096 * MIB)
                            .withGrowthStep(stepMiB * MIB)
                            .withDurability(durability));
            pool.allocate(pool.stats().largestFreeBlock());
        }

        @TearDown(Level.Invocation)
        public void delete() {
            pool.close();
            BenchPools.delete(path);
        }
    }

    /** An empty pool: created at 8 MiB and growing ({@code growing}), or at 256 MiB for good ({@code fixed}). */
    @State(Scope.Thread)
    public static class EmptyPool {
        @Param({"PROCESS", "SYNC"})
        public Durability durability;

        @Param({"64"})
        public int stepMiB;

        @Param({"growing", "fixed"})
        public String pool;

        Path path;
        PmemPool open;

        @Setup(Level.Invocation)
        public void create() {
            path = BenchPools.newPath("growth-puts");
            boolean growing = "growing".equals(pool);
            open = PmemPool.create(
                    path,
                    PoolOptions.layout("bench-growth")
                            .withSize(growing ? 8 * MIB : 256 * MIB)
                            .withMaxSize(growing ? 4096 * MIB : 0)
                            .withGrowthStep(stepMiB * MIB)
                            .withDurability(durability));
        }

        @TearDown(Level.Invocation)
        public void delete() {
            open.close();
            BenchPools.delete(path);
        }
    }

    private static final byte[] VALUE = new byte[1024];

    @Benchmark
    public long growthStep(FullPool full, Growths counters) {
        long before = full.pool.stats().growths();
        long handle = full.pool.allocate(256 * 1024);
        counters.growths += full.pool.stats().growths() - before;
        return handle;
    }

    @Benchmark
    public long putsThatGrowThePool(EmptyPool empty, Growths counters) {
        PmemPool pool = empty.open;
        long before = pool.stats().growths();
        PmemMap map = pool.map("m");
        ByteBuffer key = ByteBuffer.allocate(12);
        for (int i = 0; i < PUTS; i++) {
            key.putInt(0, i).putLong(4, 0x5EED);
            map.put(key.array().clone(), VALUE);
        }
        counters.growths += pool.stats().growths() - before;
        return map.size();
    }
}
