package dev.pmemspring.cache.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts the changes of each stripe of a cache's keys in the pool, and the clears of the whole
 * cache (the epoch), so that a reader can tell whether a key changed since it looked:
 * <ul>
 *   <li>a load reads its stripe's stamp before its miss and stores the loaded value only if the
 *       stamp has not moved since (a value read from the back end before a change must not outlive
 *       the invalidation of that change);</li>
 *   <li>a value read from the pool enters the heap tier only on the same condition
 *       ({@link HeapTier}).</li>
 * </ul>
 * A change of another key of the same stripe also moves the stamp: the value is then not kept
 * (one later miss), never kept stale. 8192 stripes keep that rare at thousands of writes a second
 * while a load takes hundreds of milliseconds.
 *
 * <p>Every change moves its stripe's stamp after it changed the pool, and every clear the epoch
 * after it emptied the pool, so a reader that read the stamp after the move also reads the pool
 * after the change.
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

    /** The stamp of {@code stripe}: it moves with every change of the stripe and with every clear. */
    public long read(int stripe) {
        return stripes.get(stripe) + (long) EPOCH.getVolatile(this);
    }

    /** The number of clears so far. */
    public long epoch() {
        return (long) EPOCH.getVolatile(this);
    }

    public void bump(int stripe) {
        stripes.incrementAndGet(stripe);
    }

    /** Moves every stripe's stamp (a clear). */
    public void bumpAll() {
        EPOCH.getAndAdd(this, 1L);
    }
}
