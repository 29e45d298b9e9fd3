package dev.pmemspring.core.internal.tx;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks on blocks written by transactions, striped by block so the table's size does not grow
 * with the number of objects. A transaction holds what it locked until it ends; a lock it cannot
 * get within the timeout makes it abort instead of deadlocking. Two blocks may share a stripe,
 * which costs only some needless waiting.
 */
final class LockTable {

    private static final int STRIPES = 4096;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    LockTable() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

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
        if (!stripes[stripe].tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        held.set(stripe);
        return true;
    }

    void unlockAll(BitSet held) {
        for (int s = held.nextSetBit(0); s >= 0; s = held.nextSetBit(s + 1)) {
            stripes[s].unlock();
        }
        held.clear();
    }

    private static int stripeOf(long block) {
        long h = block * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 52) & (STRIPES - 1);
    }
}
