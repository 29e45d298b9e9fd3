package dev.pmemspring.core.internal.tx;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks on blocks written by transactions, striped by block so the table's size does not grow
 * with the number of objects. A transaction holds what it locked until it ends; a lock it cannot
 * get within the timeout makes it abort instead of deadlocking. Two blocks may share a stripe,
 * which costs only some needless waiting.
 */
final class LockTable {

    private static final int STRIPES = 4096;

    /** Made on first use: 4096 locks built at open cost a fresh JVM's first open about a millisecond. */
    private final AtomicReferenceArray<ReentrantLock> stripes = new AtomicReferenceArray<>(STRIPES);

    /**
     * Locks the stripe of {@code block} for the calling thread unless {@code held} has it already.
     *
     * @return false if the lock was not free within the timeout
     */
    boolean lock(long block, BitSet held, long timeoutNanos) throws InterruptedException {
        int stripe = stripeOf(block);
        if (held.get(stripe)) {
            return true;
        }
        if (!stripe(stripe).tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        held.set(stripe);
        return true;
    }

    void unlockAll(BitSet held) {
        for (int s = held.nextSetBit(0); s >= 0; s = held.nextSetBit(s + 1)) {
            stripes.get(s).unlock(); // made by the lock that set its bit
        }
        held.clear();
    }

    private ReentrantLock stripe(int stripe) {
        ReentrantLock lock = stripes.get(stripe);
        if (lock == null) {
            ReentrantLock made = new ReentrantLock();
            lock = stripes.compareAndExchange(stripe, null, made);
            if (lock == null) {
                lock = made;
            }
        }
        return lock;
    }

    private static int stripeOf(long block) {
        long h = block * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 52) & (STRIPES - 1);
    }
}
