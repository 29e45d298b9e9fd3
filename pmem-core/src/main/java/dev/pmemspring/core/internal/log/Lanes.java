package dev.pmemspring.core.internal.log;

import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The pool's lanes and who holds them. A thread first tries the lane it used last, so threads
 * keep to their own lanes and their logs stay in their caches; when all are taken it waits.
 */
public final class Lanes {

    private final PersistentMemory memory;
    private final Lane[] lanes;
    private final AtomicIntegerArray held;
    private final ThreadLocal<int[]> lastUsed = ThreadLocal.withInitial(() -> new int[] {-1});
    private int nextHint;

    public Lanes(PersistentMemory memory, PoolLayout layout) {
        this.memory = memory;
        lanes = new Lane[layout.laneCount()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(i, new RedoLog(memory, layout.laneOffset(i), PoolLayout.LANE_SIZE));
        }
        held = new AtomicIntegerArray(lanes.length);
    }

    public int count() {
        return lanes.length;
    }

    public Lane get(int index) {
        return lanes[index];
    }

    public Lane acquire() {
        int[] last = lastUsed.get();
        int start = last[0];
        if (start < 0) {
            start = Math.floorMod(nextHint++, lanes.length);
        }
        for (int spins = 0; ; spins++) {
            for (int k = 0; k < lanes.length; k++) {
                int i = (start + k) % lanes.length;
                if (held.get(i) == 0 && held.compareAndSet(i, 0, 1)) {
                    last[0] = i;
                    return lanes[i];
                }
            }
            if (spins < 16) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(10_000);
            }
        }
    }

    public void release(Lane lane) {
        held.set(lane.index(), 0);
    }

    /**
     * Makes {@code batch} durable as one atomic step. A single word needs no log: an aligned 8-byte
     * store is failure-atomic (PMDK takes the same shortcut). More words go through a lane's redo log.
     */
    public void commit(RedoBatch batch) {
        if (batch.size() == 1) {
            // Earlier flushed stores (a block's contents, a split's new header) reach the media
            // before the word that makes them reachable.
            memory.drain();
            RedoLog.applyOne(memory, batch.encodedTarget(0), batch.value(0));
            memory.drain();
            return;
        }
        if (batch.size() == 0) {
            return;
        }
        Lane lane = acquire();
        try {
            lane.redo().commit(batch);
        } finally {
            release(lane);
        }
    }

    /** Replays or clears every lane's redo log; returns the number of logs replayed. */
    public int recoverAll() {
        int replayed = 0;
        for (Lane lane : lanes) {
            if (lane.redo().recover() > 0) {
                replayed++;
            }
        }
        return replayed;
    }
}
