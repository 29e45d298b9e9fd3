package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.HeapOperation;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.log.RedoBatch;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import static dev.pmemspring.core.internal.map.MapHeader.STRIPES;

/**
 * The map's growth, per stripe and online: a new table (twice as large, or as large to drop
 * tombstones) is published, and each stripe moves into it the next time a writer touches it (and
 * writers help move one more), by copying its slots into its zeroed new region and then flipping
 * its table bit: one atomic store. The old table is kept until the next growth begins, so a slow
 * reader never reads freed space.
 */
final class StripeGrowth {

    private final PersistentMemory memory;
    private final Heap heap;
    private final Lanes lanes;
    private final long header;
    private final StripeTable table;
    private final EntryReader entries;
    private final ReentrantLock growLock = new ReentrantLock();
    /** Stripes in the current table; growth is under way while fewer than all. */
    private final AtomicInteger moved = new AtomicInteger();

    private final AtomicInteger helpCursor = new AtomicInteger();

    StripeGrowth(PersistentMemory memory, Heap heap, Lanes lanes, long header, StripeTable table, EntryReader entries) {
        this.memory = memory;
        this.heap = heap;
        this.lanes = lanes;
        this.header = header;
        this.table = table;
        this.entries = entries;
        int current = table.tables().current();
        int done = 0;
        for (int s = 0; s < STRIPES; s++) {
            if (MapHeader.tableOf(table.stripeWord(s)) == current) {
                done++;
            }
        }
        moved.set(done);
    }

    /** Ensures the stripe has a free slot for one more key, growing the table if needed; caller holds its lock. */
    void makeRoom(int s) {
        moveIfBehind(s);
        if (!crowded(s)) {
            return;
        }
        if (moved.get() < STRIPES) {
            finishGrowth();
        }
        long size = table.stripeSize(s);
        // Grow when live keys fill half the stripe; otherwise rebuild at the same size to drop tombstones.
        startGrowth(table.count(s) * 2 + 2 > size ? size * 2 : size);
        moveIfBehind(s);
    }

    private boolean crowded(int s) {
        return (table.count(s) + table.tombstones[s] + 1) * 4 > table.stripeSize(s) * 3;
    }

    /**
     * Moves every stripe still behind. No deadlock: a writer moves its own stripe before it can
     * wait here, so a stripe still behind is held only by a writer about to move it.
     */
    private void finishGrowth() {
        for (int t = 0; t < STRIPES && moved.get() < STRIPES; t++) {
            StripeLock lock = table.lock(t);
            if (MapHeader.tableOf(table.stripeWord(t)) != table.tables().current() && !lock.isHeldByCurrentThread()) {
                lock.lock();
                try {
                    moveIfBehind(t);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void startGrowth(long stripeSize) {
        growLock.lock();
        try {
            StripeTable.Tables t = table.tables();
            if (moved.get() < STRIPES) {
                return; // growth under way: stripes move into its table
            }
            int next = 1 - t.current();
            long fresh;
            try (HeapOperation op = heap.operation()) {
                try {
                    fresh = op.reserve(MapHeader.tableBytes(stripeSize));
                } catch (Heap.OutOfSpace e) {
                    throw new PersistentHashMap.NoSpace();
                }
                // The new table is not zeroed here (that took a pass over all of it under a stripe
                // lock): nothing reads a stripe's region of it before that stripe has moved in, and
                // moving zeroes the region, copies the slots and flushes them before the one store
                // that switches the stripe over (moveIfBehind).
                // The table before last is empty of stripes (the last growth finished): free it now.
                if (t.handle()[next] != 0) {
                    op.free(t.handle()[next]);
                }
                op.set(MapHeader.tableHandleAt(header, next), fresh)
                        .set(MapHeader.tableStripeSizeAt(header, next), stripeSize)
                        .set(MapHeader.currentTableAt(header), next);
                op.commit();
            }
            long[] handles = t.handle().clone();
            long[] sizes = t.stripeSize().clone();
            handles[next] = fresh;
            sizes[next] = stripeSize;
            moved.set(0);
            table.install(new StripeTable.Tables(handles, sizes, next));
        } finally {
            growLock.unlock();
        }
    }

    /** Moves stripe {@code s} into the current table if it is not there yet; caller holds its lock. */
    void moveIfBehind(int s) {
        StripeTable.Tables t = table.tables();
        long word = table.stripeWord(s);
        if (MapHeader.tableOf(word) == t.current()) {
            return;
        }
        lanes.failStop().check(); // before the new region is written
        long newSize = t.stripeSize()[t.current()];
        long newRegion = StripeTable.region(t.handle()[t.current()], s, newSize);
        // The new region is invisible until the stripe word flips; a crashed earlier move may have
        // left slots there, so start from zero.
        memory.fill(newRegion, 8 * newSize, (byte) 0);
        // Until the flip the stripe word names the old table, so the walk reads the old region.
        table.visitLive(s, 0, (index, slot, v) -> {
            long start = newSize <= 65536
                    ? StripeTable.tagOfSlot(v) & (newSize - 1)
                    : StripeTable.position(KeyHash.of(entries.key(StripeTable.entryOf(v))), newSize);
            for (long k = 0; ; k++) {
                long to = newRegion + 8 * ((start + k) & (newSize - 1));
                if (memory.getLong(to) == StripeTable.EMPTY) {
                    memory.putLong(to, v);
                    return true;
                }
            }
        });
        memory.flush(newRegion, 8 * newSize);
        // One store switches the stripe to its new region (the commit drains the copy first).
        lanes.commit(new RedoBatch().set(table.stripeWordOffset(s), (word & ~1L) | t.current()));
        table.tombstones[s] = 0;
        moved.incrementAndGet();
    }

    /** After a write, moves one more stripe if growth is under way and its lock is free. */
    void helpGrow() {
        if (moved.get() >= STRIPES || lanes.failStop().stopped()) {
            return; // stopped: the write that calls this has failed or been refused already
        }
        int s = Math.floorMod(helpCursor.getAndIncrement(), STRIPES);
        StripeLock lock = table.lock(s);
        if (lock.tryLock()) {
            try {
                moveIfBehind(s);
            } finally {
                lock.unlock();
            }
        }
    }
}
