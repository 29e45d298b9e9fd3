package dev.pmemspring.bench;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Time to get the first value out of a persistent map that already holds many entries.
 *
 * <p>One op (a single shot) is {@code PmemPool.open} of a {@code PROCESS}-durability pool,
 * {@code pool.map(name)} and one {@code get} of a present key (a different one each shot). Closing
 * the pool comes after the shot and is not timed. The pool is filled once per trial, in this JVM
 * ({@code entries} 16-byte keys with 100-byte values), and closed before the first shot; so the
 * shots time a reopen in a warm process. The map's open reads a few words whatever its size, so
 * the time should not grow with {@code entries} (the pool's own open may). {@link #openPoolOnly}
 * times {@code PmemPool.open} alone, to tell the two apart.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 15)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--enable-native-access=ALL-UNNAMED",
            "-Xms1g",
            "-Xmx1g",
            // Fault the heap in before measuring: on a VM the first touch of a page is a costly fault
            // (docs/benchmarks.md, "Heap page faults")
            "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages"
        })
@State(Scope.Benchmark)
public class MapOpenBenchmark extends PoolBenchmarkState {

    static final int VALUE_SIZE = 100;
    static final String MAP = "bench";
    static final PoolOptions OPTIONS = PoolOptions.layout("bench-map-open").withDurability(Durability.PROCESS);

    @Param({"10000", "100000", "1000000"})
    public int entries;

    private byte[] value;
    private long shot;
    private byte[] key;

    @Override
    protected String poolName() {
        return "map-open";
    }

    /** Fills the map with {@code entries} entries and closes the pool. */
    @Override
    protected PmemPool preparePool(Path path) {
        quietPoolOpens();
        byte[] filler = MapWorkload.value(VALUE_SIZE, 5);
        try (PmemPool filling =
                PmemPool.create(path, OPTIONS.withSize(MapStore.poolSize(MapWorkload.KEY_SIZE, VALUE_SIZE, entries)))) {
            PmemMap map = filling.map(MAP);
            for (int i = 0; i < entries; i++) {
                map.put(MapWorkload.key(i, MapWorkload.PRELOADED), filler);
            }
            if (map.size() != entries) {
                throw new IllegalStateException("filled " + map.size() + " entries, not " + entries);
            }
        }
        return null;
    }

    /** Untimed: picks the key of the next shot, spread over the whole map. */
    @Setup(Level.Invocation)
    public void pickKey() {
        key = MapWorkload.key((shot++ * 7919) % entries, MapWorkload.PRELOADED);
    }

    @Benchmark
    public byte[] openAndGet() {
        pool = PmemPool.open(path, OPTIONS);
        value = pool.map(MAP).get(key);
        return value;
    }

    /**
     * The pool's open alone, for the split: {@code openAndGet} minus this is what the map's open
     * and the first get cost.
     */
    @Benchmark
    public PmemPool openPoolOnly() {
        pool = PmemPool.open(path, OPTIONS);
        return pool;
    }

    /** Untimed: checks the shot found its value (or, after a pool-only shot, finds it now), and closes the pool. */
    @TearDown(Level.Invocation)
    public void close() {
        try {
            if (value == null) {
                value = pool.map(MAP).get(key);
            }
            if (value == null || value.length != VALUE_SIZE) {
                throw new IllegalStateException("the reopened map did not return the value of a key it holds");
            }
        } finally {
            value = null;
            pool.close();
        }
    }
}
