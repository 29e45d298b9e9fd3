package dev.pmemspring.core.internal.heap;

import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.log.RedoBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * One atomic change of the heap and the words that go with it: the blocks it reserves, the
 * blocks it frees and the stores that publish them (a handle into a field, counters), made
 * durable together by one redo batch, as PMDK's {@code palloc_operation}. Before
 * {@link #commit} nothing of it is in the pool; {@link #close} gives back what an uncommitted
 * operation reserved and keeps what it would have freed.
 *
 * <pre>{@code
 * try (HeapOperation op = heap.operation()) {
 *     long block = op.reserve(size);
 *     // write and flush the block: the commit drains it before the first word of the batch
 *     op.set(field, block);
 *     op.commit();
 * }
 * }</pre>
 *
 * <p>An operation may be kept and reused by one thread at a time ({@link #close} makes it empty
 * again), so that a writer that changes the heap on every call allocates nothing for it.
 */
public final class HeapOperation implements AutoCloseable {

    private final Heap heap;
    private final Lanes lanes;
    private final RedoBatch batch = new RedoBatch();
    /** Units reserved by handle alone, so that reserving one allocates nothing on the Java heap. */
    private long[] units = new long[2];
    private int unitCount;
    private final List<Reservation> reservations = new ArrayList<>(2);
    private final List<Heap.Release> releases = new ArrayList<>(2);
    private boolean committed;

    HeapOperation(Heap heap, Lanes lanes) {
        this.heap = heap;
        this.lanes = lanes;
    }

    /**
     * Reserves a block of at least {@code size} bytes, published at commit; returns its handle.
     * Its contents are undefined; nothing reads it before the commit.
     */
    public long reserve(long size) throws Heap.OutOfSpace {
        if (size <= Heap.maxUnitSize()) {
            long unit = heap.reserveUnit(size);
            if (unitCount == units.length) {
                units = java.util.Arrays.copyOf(units, 2 * unitCount);
            }
            units[unitCount++] = unit;
            heap.addPublishUnit(unit, batch);
            return unit;
        }
        Reservation r = heap.reserve(size);
        reservations.add(r);
        heap.addPublish(r, batch);
        return r.handle();
    }

    /** Frees the block at {@code handle} at commit. */
    public HeapOperation free(long handle) {
        releases.add(heap.addFree(handle, batch));
        return this;
    }

    /** Stores {@code value} at pool offset {@code offset} at commit. */
    public HeapOperation set(long offset, long value) {
        batch.set(offset, value);
        return this;
    }

    /**
     * Makes the whole operation durable in one step, then completes it in the allocator's volatile
     * state: reserved blocks become allocated, freed ones available.
     */
    public void commit() {
        lanes.commit(batch);
        committed = true;
        for (Reservation r : reservations) {
            heap.published(r);
        }
        for (Heap.Release release : releases) {
            heap.freed(release);
        }
    }

    /** Cancels what was not committed, and empties the operation for its next use. */
    @Override
    public void close() {
        if (!committed) {
            for (int i = 0; i < unitCount; i++) {
                heap.cancelUnit(units[i]);
            }
            for (Reservation r : reservations) {
                heap.cancel(r);
            }
            for (Heap.Release release : releases) {
                heap.freeAbandoned(release);
            }
        }
        unitCount = 0;
        reservations.clear();
        releases.clear();
        batch.clear();
        committed = false;
    }
}
