package dev.pmemspring.cache.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts the writes to each stripe of a cache's keys, so that a load can tell whether its key was
 * written or invalidated while the back end was being asked: a load reads its stripe's stamp after
 * its miss and before it calls the loader, and stores the loaded value only if the stamp has not
 * moved (a value read from the back end before a change must not outlive the invalidation of that
 * change). A write to another key of the same stripe also moves the stamp: the load is then not
 * stored (one later miss), never stored stale. 8192 stripes keep that rare at thousands of writes
 * a second while a load takes hundreds of milliseconds.
 *
 * <p>Every write bumps the stamp after it changed the pool, so a load that read the stamp after the
 * bump also missed after the change.
 */
public final class WriteStamps {

    private static final int STRIPES = 8192;
    private static final VarHandle EPOCH;

    static {
        try {
            EPOCH = MethodHandles.lookup().findVarHandle(WriteStamps.class, "epoch", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);

    @SuppressWarnings("unused") // through EPOCH
    private volatile long epoch;

    /** The stripe of a key's stored form. */
    public static int stripe(byte[] key) {
        int h = java.util.Arrays.hashCode(key);
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h & (STRIPES - 1);
    }

    /** The stamp of {@code stripe}: it moves with every write to the stripe and with every clear. */
    public long read(int stripe) {
        return stripes.get(stripe) + (long) EPOCH.getVolatile(this);
    }

    public void bump(int stripe) {
        stripes.incrementAndGet(stripe);
    }

    /** Moves every stripe's stamp (a clear). */
    public void bumpAll() {
        EPOCH.getAndAdd(this, 1L);
    }
}
