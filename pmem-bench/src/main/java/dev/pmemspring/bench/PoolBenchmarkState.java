package dev.pmemspring.bench;

import dev.pmemspring.core.PmemPool;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The pool file a benchmark works on, one per trial: a fresh path in {@link BenchPools#DIR} before
 * the trial, and at its end the pool closed (if it is still open) and the file deleted, whatever
 * the trial left behind.
 *
 * <p>A subclass says what goes into the file ({@link #preparePool}): either it creates the pool and
 * keeps it open for the trial (the allocator and transaction loops), or it fills the file and
 * closes it, and each shot then opens {@link #pool} itself (the open and recovery benchmarks).
 * Subclasses declare no trial-level {@code @Setup}/{@code @TearDown} of their own, so the order of
 * the two levels of helpers never matters.
 */
@State(Scope.Benchmark)
public abstract class PoolBenchmarkState {

    /**
     * Kept strongly reachable: the logging framework holds loggers weakly, and a collected logger
     * would forget the level set by {@link #quietPoolOpens}. Named by string so that looking it up
     * does not load the pool's classes (the open benchmark's first shot must find them unloaded).
     */
    private static final Logger POOL_LOG = Logger.getLogger("dev.pmemspring.core.PmemPool");

    /** This trial's pool file. */
    protected Path path;

    /** The pool open now, if any: set by {@link #preparePool} or by the shots. */
    protected PmemPool pool;

    /** The middle part of the file name, naming the benchmark in a listing of the pool folder. */
    protected abstract String poolName();

    /**
     * Creates or fills the pool at {@code path} for this trial; returns it if it stays open for
     * the trial, or null if the shots open it.
     */
    protected abstract PmemPool preparePool(Path path) throws Exception;

    @Setup(Level.Trial)
    public final void createPoolFile() throws Exception {
        path = BenchPools.newPath(poolName());
        pool = preparePool(path);
    }

    @TearDown(Level.Trial)
    public final void removePoolFile() {
        try {
            if (pool != null && !pool.isClosed()) {
                pool.close();
            }
        } finally {
            BenchPools.delete(path);
        }
    }

    /**
     * {@code PmemPool.open} logs one INFO line per open; formatting and printing it would be timed
     * with every shot, and PMDK's open prints nothing.
     */
    protected static void quietPoolOpens() {
        POOL_LOG.setLevel(java.util.logging.Level.WARNING);
    }
}
