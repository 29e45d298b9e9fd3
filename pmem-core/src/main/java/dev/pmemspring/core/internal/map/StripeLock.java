package dev.pmemspring.core.internal.map;

import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;

/**
 * A stripe's write lock and its seqlock sequence number in one word: even while the stripe is
 * free, odd while a writer holds it, one higher at each acquire and at each release. A writer
 * takes the lock and opens its change with one CAS, and closes both with one store; readers
 * read the word before and after their unlocked reads, and retry if it moved or was odd.
 *
 * <p>One word instead of a lock and a separate counter because two threads writing to the same
 * stripes otherwise trade two cache lines per write, each an expensive transfer between cores
 * (measured on {@code MapBenchmark.putOverwrite} with two threads). A writer that finds the
 * stripe held spins a little first: a write holds its stripe for well under a microsecond, and
 * parking and waking a thread costs several (two threads putting Zipfian keys spent a seventh of
 * their time parked). Writers that still find it held, behind a stripe's growth say, queue and
 * park as with {@code ReentrantLock} (this is its synchronizer, with the count as state); once
 * one is parked, newcomers queue behind it instead of spinning, so a spin never overtakes a
 * parked writer for long. Not reentrant.
 */
@SuppressWarnings("serial") // never serialized
final class StripeLock extends AbstractQueuedLongSynchronizer {

    /**
     * Tries before a writer parks: each after a pause instruction (about 15-50 ns on current x86
     * cores), so a few to ten microseconds in all; a longer spin measured no better.
     */
    private static final int SPINS = 256;

    // Padding after the state word: the locks of neighbouring stripes are allocated one after
    // another, and two threads writing to them must not share the cache line of the state and
    // owner, nor the other line of its 128-byte pair, which Intel's adjacent-line prefetcher
    // fetches with it (why @Contended pads 128 bytes). With it the state words lie 152 bytes apart.
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;

    void lock() {
        if (tryAcquire(1)) {
            return;
        }
        for (int spin = 0; spin < SPINS && !hasQueuedThreads(); spin++) {
            Thread.onSpinWait();
            if (tryAcquire(1)) {
                return;
            }
        }
        acquire(1);
    }

    boolean tryLock() {
        return tryAcquire(1);
    }

    void unlock() {
        release(1);
    }

    /** The sequence number: odd while a writer holds the stripe. */
    long sequence() {
        return getState();
    }

    boolean isHeldByCurrentThread() {
        return getExclusiveOwnerThread() == Thread.currentThread();
    }

    @Override
    protected boolean tryAcquire(long unused) {
        long sequence = getState();
        // Read before the CAS: a CAS bound to fail would still take the line from the holder.
        // The CAS is a full fence: none of the holder's stores to the stripe can be seen before
        // the odd number that tells readers to retry.
        if ((sequence & 1) == 0 && compareAndSetState(sequence, sequence + 1)) {
            setExclusiveOwnerThread(Thread.currentThread());
            return true;
        }
        return false;
    }

    @Override
    protected boolean tryRelease(long unused) {
        if (getExclusiveOwnerThread() != Thread.currentThread()) {
            throw new IllegalMonitorStateException("stripe lock released by a thread that does not hold it");
        }
        setExclusiveOwnerThread(null);
        // A volatile store: every store of the change is visible before the even number.
        setState(getState() + 1);
        return true;
    }

    @Override
    protected boolean isHeldExclusively() {
        return isHeldByCurrentThread();
    }
}
