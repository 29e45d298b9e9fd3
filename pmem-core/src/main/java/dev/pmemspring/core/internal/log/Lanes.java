package dev.pmemspring.core.internal.log;

import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.FailStop;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The pool's lanes and who holds them. A thread first tries the lane it used last, so threads
 * keep to their own lanes and their logs stay in their caches; when all are taken it waits.
 * A transaction holds its lane from begin to end; allocator operations inside it use that lane's
 * redo log instead of taking a second lane (which could deadlock when all lanes are held).
 *
 * <p>Every logged change of the pool starts here, so this is where a stopped pool ({@link FailStop})
 * refuses them: a lane is not given out, and no redo batch committed. A lane whose log could not be
 * applied is retired, never given out again in this process: its log is what recovery needs.
 */
public final class Lanes {

    /** Per thread: the lane it used last, and the lane its transaction holds, if any. */
    private static final class ThreadLanes {
        int lastUsed = -1;
        Lane held;
        /** Whether a redo commit failed on the held lane: it is then retired, not released. */
        boolean heldFailed;
    }

    /**
     * Ints between two lanes' flags: a 128-byte pair of cache lines, which Intel's adjacent-line
     * prefetcher fetches together. The first flag also sits that far into the array, off the line
     * of the array's length, which every access reads: with lane 0's flag on that line, a second
     * thread missed it on every acquire and release (two threads' map overwrites 0.69-0.74 µs
     * each, 0.53-0.59 µs with the flags apart).
     */
    private static final int SPREAD = 32;

    private final PersistentMemory memory;
    private final FailStop failStop;
    private final Lane[] lanes;
    /** Whether each lane is taken, lane i's flag at {@link #flag}(i), so threads on neighbouring lanes share no line. */
    private final AtomicIntegerArray taken;

    private final ThreadLocal<ThreadLanes> threadLanes = ThreadLocal.withInitial(ThreadLanes::new);
    private int nextHint;

    public Lanes(PersistentMemory memory, PoolLayout layout, FailStop failStop) {
        this.memory = memory;
        this.failStop = failStop;
        lanes = new Lane[layout.laneCount()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(i, new RedoLog(memory, layout.laneOffset(i), PoolLayout.REDO_SIZE));
        }
        taken = new AtomicIntegerArray((lanes.length + 1) * SPREAD);
    }

    public int count() {
        return lanes.length;
    }

    public Lane get(int index) {
        return lanes[index];
    }

    /** Whether the pool still takes changes, and why not. */
    public FailStop failStop() {
        return failStop;
    }

    /** Takes a lane for the calling thread's transaction; {@link #releaseHeld()} gives it back. */
    public Lane acquireHeld() {
        failStop.check();
        ThreadLanes mine = threadLanes.get();
        if (mine.held != null) {
            throw new IllegalStateException("this thread already holds lane " + mine.held.index());
        }
        mine.held = acquire(mine);
        return mine.held;
    }

    public void releaseHeld() {
        ThreadLanes mine = threadLanes.get();
        Lane lane = mine.held;
        mine.held = null;
        if (mine.heldFailed) {
            mine.heldFailed = false; // its redo log may hold a batch committed and not applied
            return;
        }
        if (lane != null) {
            taken.set(flag(lane.index()), 0);
        }
    }

    /**
     * Lets the calling thread go of its lane without giving the lane back: its undo log holds a
     * change that could not be undone, which only recovery may apply now, so no later user may
     * append to it or empty it. The pool is stopped already.
     */
    public void retireHeld() {
        ThreadLanes mine = threadLanes.get();
        mine.held = null;
        mine.heldFailed = false;
    }

    private static int flag(int lane) {
        return (lane + 1) * SPREAD;
    }

    /** Whether lane {@code index} is out (held, or retired); for tests. */
    boolean taken(int index) {
        return taken.get(flag(index)) != 0;
    }

    private Lane acquire(ThreadLanes mine) {
        int start = mine.lastUsed;
        if (start < 0) {
            start = Math.floorMod(nextHint++, lanes.length); // a racy hint is fine: it only spreads threads
        }
        for (int spins = 0; ; spins++) {
            for (int k = 0; k < lanes.length; k++) {
                int i = (start + k) % lanes.length;
                if (taken.get(flag(i)) == 0 && taken.compareAndSet(flag(i), 0, 1)) {
                    mine.lastUsed = i;
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

    /**
     * Makes {@code batch} durable as one atomic step. A single word needs no log: an aligned 8-byte
     * store is failure-atomic (PMDK takes the same shortcut). More words go through a lane's redo log.
     */
    public void commit(RedoBatch batch) {
        failStop.check();
        lanes[0].redo().requireRoom(batch); // refused before anything is written: no reason to stop
        try {
            commitLogged(batch);
        } catch (RuntimeException | Error e) {
            // Cut part-way, the log may hold a batch that is committed but not applied, and the
            // lane would be given to the next writer, whose batch overwrites it.
            ThreadLanes mine = threadLanes.get();
            if (mine.held != null) {
                mine.heldFailed = true;
            }
            throw failStop.stop("committing an allocator change", e);
        }
    }

    private void commitLogged(RedoBatch batch) {
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
        ThreadLanes mine = threadLanes.get();
        if (mine.held != null) {
            mine.held.redo().commit(batch);
            return;
        }
        Lane lane = acquire(mine);
        lane.redo().commit(batch);
        taken.set(flag(lane.index()), 0); // not after a failure: the lane's log is then recovery's (see commit)
    }

    /** Replays or clears every lane's redo log; returns the number of logs replayed. */
    public int recoverRedo() {
        int replayed = 0;
        for (Lane lane : lanes) {
            if (lane.redo().recover() > 0) {
                replayed++;
            }
        }
        return replayed;
    }
}
