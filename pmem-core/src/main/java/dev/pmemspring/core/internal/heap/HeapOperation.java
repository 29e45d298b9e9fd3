package dev.pmemspring.core.internal.heap;

import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.log.RedoBatch;

import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Most operations reserve or free one block: those are held in fields, so that an operation
 * made and closed in one method costs no allocation once the JIT has inlined it. An operation
 * may also be kept and reused under its owner's lock ({@link #close} empties it), as the map keeps
 * one per stripe for its puts.
 */
public final class HeapOperation implements AutoCloseable {

    private final Heap heap;
    private final Lanes lanes;
    private final RedoBatch batch = new RedoBatch();
    /** Units reserved by handle alone ({@link #reserveUnit}): the first, then any more. */
    private long unit = -1;

    private long[] moreUnits;
    private int moreUnitCount;
    private Block reservation;
    private List<Block> moreReservations;
    private Block release;
    private List<Block> moreReleases;
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
        Block r = heap.reserve(size);
        if (reservation == null) {
            reservation = r;
        } else {
            if (moreReservations == null) {
                moreReservations = new ArrayList<>(2);
            }
            moreReservations.add(r);
        }
        heap.addPublish(r, batch);
        return r.handle();
    }

    /**
     * {@link #reserve} for a block of at most {@link Heap#maxUnitSize()} bytes, allocating nothing
     * on the Java heap (the handle alone names the unit), for writers that reserve on every call.
     */
    public long reserveUnit(long size) throws Heap.OutOfSpace {
        long handle = heap.reserveUnit(size);
        if (unit < 0) {
            unit = handle;
        } else {
            if (moreUnits == null) {
                moreUnits = new long[2];
            } else if (moreUnitCount == moreUnits.length) {
                moreUnits = Arrays.copyOf(moreUnits, 2 * moreUnitCount);
            }
            moreUnits[moreUnitCount++] = handle;
        }
        heap.addPublishUnit(handle, batch);
        return handle;
    }

    /** Frees the block at {@code handle} at commit. */
    public HeapOperation free(long handle) {
        released(heap.addFree(handle, batch));
        return this;
    }

    /**
     * Frees the block at {@code handle} at commit if the heap holds it live; false (nothing to free)
     * if it does not. For handles read from a structure a damaged file may have torn, where freeing
     * a block that is free or is no block would hand out space that is someone else's.
     */
    public boolean freeIfLive(long handle) {
        Block r = heap.addFreeIfLive(handle, batch);
        if (r != null) {
            released(r);
        }
        return r != null;
    }

    private void released(Block r) {
        if (release == null) {
            release = r;
        } else {
            if (moreReleases == null) {
                moreReleases = new ArrayList<>(2);
            }
            moreReleases.add(r);
        }
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
        if (reservation != null) {
            heap.published(reservation);
            if (moreReservations != null) {
                moreReservations.forEach(heap::published);
            }
        }
        if (release != null) {
            heap.freed(release);
            if (moreReleases != null) {
                moreReleases.forEach(heap::freed);
            }
        }
    }

    /** Cancels what was not committed, and empties the operation for its next use. */
    @Override
    public void close() {
        if (!committed) {
            // Static, with the fields as arguments: a cold call that received this operation
            // would keep the JIT from eliding it (and its batch) where it is made and closed.
            cancel(heap, unit, moreUnits, moreUnitCount, reservation, moreReservations, release, moreReleases);
        }
        unit = -1;
        moreUnitCount = 0;
        reservation = null;
        release = null;
        if (moreReservations != null) {
            moreReservations.clear();
        }
        if (moreReleases != null) {
            moreReleases.clear();
        }
        batch.clear();
        committed = false;
    }

    private static void cancel(
            Heap heap,
            long unit,
            long[] moreUnits,
            int moreUnitCount,
            Block reservation,
            List<Block> moreReservations,
            Block release,
            List<Block> moreReleases) {
        if (unit >= 0) {
            heap.cancelUnit(unit);
            for (int i = 0; i < moreUnitCount; i++) {
                heap.cancelUnit(moreUnits[i]);
            }
        }
        if (reservation != null) {
            heap.cancel(reservation);
            if (moreReservations != null) {
                moreReservations.forEach(heap::cancel);
            }
        }
        if (release != null) {
            heap.freeAbandoned(release);
            if (moreReleases != null) {
                moreReleases.forEach(heap::freeAbandoned);
            }
        }
    }
}
