package dev.pmemspring.core.internal.tx;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks on the byte ranges transactions write: a range is held by one transaction at a time, so
 * two transactions that write different fields of one block run side by side, and a whole-block
 * lock waits for every range inside the block. Ranges are kept in stripes chosen by the block
 * holding them, so a block's ranges always meet in one stripe and the table does not grow with
 * the number of objects. A transaction holds what it locked until it ends; a lock it cannot get
 * within the timeout makes it abort instead of deadlocking.
 */
final class RangeLocks {

    private static final int STRIPES = 4096;

    /** Made on first use: 4096 stripes built at open would cost a fresh JVM's first open time. */
    private final AtomicReferenceArray<Stripe> stripes = new AtomicReferenceArray<>(STRIPES);

    /**
     * Locks {@code [start, end)} of {@code block} for {@code owner}. Ranges the owner holds never
     * stand in its way, and a range inside one it holds is not recorded twice.
     *
     * @param held the owner's stripes, to which this one is added
     * @return false if another owner's overlapping range was not released within the timeout
     */
    boolean lock(Object owner, long block, long start, long end, BitSet held, long timeoutNanos)
            throws InterruptedException {
        int index = stripeOf(block);
        Stripe stripe = stripe(index);
        stripe.mutex.lockInterruptibly(); // an interrupted thread aborts, as it would waiting
        try {
            long remaining = timeoutNanos;
            while (true) {
                int found = stripe.find(owner, start, end);
                if (found == Stripe.FREE) {
                    held.set(index); // first: a bit without a range costs nothing, the reverse a leak
                    stripe.add(owner, start, end);
                    return true;
                }
                if (found == Stripe.OWN) {
                    return true;
                }
                if (remaining <= 0) {
                    return false;
                }
                remaining = stripe.released.awaitNanos(remaining);
            }
        } finally {
            stripe.mutex.unlock();
        }
    }

    /** Releases every range {@code owner} holds, and wakes the transactions waiting on them. */
    void unlockAll(Object owner, BitSet held) {
        for (int s = held.nextSetBit(0); s >= 0; s = held.nextSetBit(s + 1)) {
            Stripe stripe = stripes.get(s); // made by the lock that set its bit
            stripe.mutex.lock();
            try {
                stripe.removeAll(owner);
                stripe.released.signalAll();
            } finally {
                stripe.mutex.unlock();
            }
        }
        held.clear();
    }

    private Stripe stripe(int index) {
        Stripe stripe = stripes.get(index);
        if (stripe == null) {
            Stripe made = new Stripe();
            stripe = stripes.compareAndExchange(index, null, made);
            if (stripe == null) {
                stripe = made;
            }
        }
        return stripe;
    }

    private static int stripeOf(long block) {
        long h = block * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 52) & (STRIPES - 1);
    }

    /**
     * The ranges held in one stripe, guarded by its mutex. An owner's ranges are kept apart (merged
     * when they touch), so a stripe holds about as many ranges as transactions hold disjoint pieces
     * of its blocks: few, and a scan finds conflicts. A whole-block request waits until no range
     * inside the block is held; requests do not queue behind it.
     */
    private static final class Stripe {

        static final int FREE = -1;
        static final int OWN = -2;
        static final int TAKEN = -3;

        final ReentrantLock mutex = new ReentrantLock();
        final Condition released = mutex.newCondition();
        private Object[] owners = new Object[4];
        private long[] starts = new long[4];
        private long[] ends = new long[4];
        private int count;

        /** FREE if no range overlaps, OWN if one of the owner's covers it, TAKEN if another's overlaps. */
        int find(Object owner, long start, long end) {
            for (int i = 0; i < count; i++) {
                if (starts[i] < end && start < ends[i]) {
                    if (owners[i] != owner) {
                        return TAKEN;
                    }
                    if (starts[i] <= start && end <= ends[i]) {
                        return OWN; // no other owner can overlap a range inside one held here
                    }
                }
            }
            return FREE;
        }

        /** Records a range no other owner overlaps, merged with the owner's ranges it touches. */
        void add(Object owner, long start, long end) {
            for (int i = 0; i < count; i++) {
                if (owners[i] == owner && starts[i] <= end && start <= ends[i]) {
                    // Safe to widen: the union holds only bytes the owner has or is being granted.
                    start = Math.min(starts[i], start);
                    end = Math.max(ends[i], end);
                }
            }
            removeWithin(owner, start, end); // the ranges merged above, now covered by the union
            if (count == owners.length) {
                owners = Arrays.copyOf(owners, count * 2);
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            owners[count] = owner;
            starts[count] = start;
            ends[count] = end;
            count++;
        }

        void removeAll(Object owner) {
            removeWithin(owner, Long.MIN_VALUE, Long.MAX_VALUE);
        }

        /** Drops the owner's ranges that lie inside {@code [from, to)}, keeping the others in order. */
        private void removeWithin(Object owner, long from, long to) {
            int kept = 0;
            for (int i = 0; i < count; i++) {
                if (owners[i] != owner || starts[i] < from || ends[i] > to) {
                    owners[kept] = owners[i];
                    starts[kept] = starts[i];
                    ends[kept] = ends[i];
                    kept++;
                }
            }
            Arrays.fill(owners, kept, count, null);
            count = kept;
        }
    }
}
