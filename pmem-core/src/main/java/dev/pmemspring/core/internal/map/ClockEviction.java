package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.concurrent.atomic.LongAdder;

import static dev.pmemspring.core.internal.map.MapHeader.STRIPES;

/**
 * Eviction by CLOCK over the map's slots: a hand walks the stripes one slot after another; a
 * slot read since the hand last passed (its access bit set by {@code get}) gets a second chance
 * and loses its bit, any other entry, or an expired one, is removed. One hand per map; the
 * caller's bound is met stripe by stripe, each under its lock.
 */
final class ClockEviction {

    /** Removes one live slot of a locked stripe; returns the bytes the entry counted for. */
    @FunctionalInterface
    interface SlotRemoval {
        long remove(int s, long slot, long entry);
    }

    private final PersistentMemory memory;
    private final StripeTable table;
    private final EntryReader entries;
    private final StripeGrowth growth;
    private final SlotRemoval removal;
    private final LongAdder evicted = new LongAdder();
    private int clockStripe;
    private long clockSlot;

    ClockEviction(
            PersistentMemory memory, StripeTable table, EntryReader entries, StripeGrowth growth, SlotRemoval removal) {
        this.memory = memory;
        this.table = table;
        this.entries = entries;
        this.growth = growth;
        this.removal = removal;
    }

    /**
     * Removes entries until at most {@code maxEntries} remain and they take at most
     * {@code maxBytes}: expired entries first as the clock hand meets them, then entries not
     * read since the hand last passed (their access bit is clear; passing clears it).
     *
     * @return the number of entries removed
     */
    synchronized long evict(long maxEntries, long maxBytes) {
        long[] removed = {0};
        int idleStripes = 0;
        // The totals are summed over all stripes once per stripe the hand visits (writers change
        // them meanwhile) and counted down locally for each removal, not summed per slot.
        long[] left = {table.totalCount(), table.totalBytes()};
        while ((left[0] > maxEntries || left[1] > maxBytes) && idleStripes < 2 * STRIPES) {
            int s = clockStripe;
            long removedBefore = removed[0];
            StripeLock lock = table.lock(s);
            lock.lock();
            try {
                growth.moveIfBehind(s);
                clockSlot = table.visitLive(s, clockSlot, (index, slot, v) -> {
                    long entry = StripeTable.entryOf(v);
                    if ((v & StripeTable.ACCESSED) != 0 && !entries.expired(entry)) {
                        memory.compareAndSetLong(slot, v, v & ~StripeTable.ACCESSED); // a second chance
                    } else {
                        left[1] -= removal.remove(s, slot, entry);
                        left[0]--;
                        removed[0]++;
                        evicted.increment();
                    }
                    return left[0] > maxEntries || left[1] > maxBytes;
                });
                if (clockSlot >= table.stripeSize(s)) {
                    clockSlot = 0;
                    clockStripe = (s + 1) % STRIPES;
                }
            } finally {
                lock.unlock();
            }
            idleStripes = removed[0] > removedBefore ? 0 : idleStripes + 1;
            left[0] = table.totalCount();
            left[1] = table.totalBytes();
        }
        return removed[0];
    }

    long evicted() {
        return evicted.sum();
    }
}
