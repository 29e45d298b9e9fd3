package dev.pmemspring.core.internal.tx;

import dev.pmemspring.core.PoolOutOfMemoryException;
import dev.pmemspring.core.Transaction;
import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.HeapOperation;
import dev.pmemspring.core.internal.log.Lane;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.memory.FailStop;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * The pool's transactions: one undo log per lane, the range locks, the thread's current
 * transaction, and recovery of transactions a crash cut short.
 */
public final class TransactionEngine {

    final PersistentMemory memory;
    final Heap heap;
    final Lanes lanes;
    final FailStop failStop;
    final RangeLocks locks = new RangeLocks();
    final long lockTimeoutNanos;
    final Path path;
    final LongFunction<PoolOutOfMemoryException> outOfMemory;
    private final UndoLog[] undoLogs;
    private final AtomicRewrite rewrites;
    private final ThreadLocal<ActiveTransaction> current = new ThreadLocal<>();
    /** The open transaction of each lane, for the check ({@link #runBitsInFlight}); null where none. */
    private final AtomicReferenceArray<ActiveTransaction> open;

    final LongAdder committed = new LongAdder();
    final LongAdder aborted = new LongAdder();

    public TransactionEngine(
            PersistentMemory memory,
            PoolLayout layout,
            Heap heap,
            Lanes lanes,
            Duration lockTimeout,
            Path path,
            LongFunction<PoolOutOfMemoryException> outOfMemory) {
        this.memory = memory;
        this.heap = heap;
        this.lanes = lanes;
        this.failStop = lanes.failStop();
        this.lockTimeoutNanos = lockTimeout.toNanos();
        this.path = path;
        this.outOfMemory = outOfMemory;
        this.undoLogs = new UndoLog[layout.laneCount()];
        for (int i = 0; i < undoLogs.length; i++) {
            undoLogs[i] = new UndoLog(memory, layout.undoOffset(i), PoolLayout.UNDO_SIZE);
        }
        this.rewrites = new AtomicRewrite(memory, lanes, this);
        this.open = new AtomicReferenceArray<>(undoLogs.length);
    }

    /**
     * Rolls back every transaction a crash left open. Runs on open, after redo logs are replayed
     * and before the heap is rebuilt; touches only the logs, so its cost follows their size.
     *
     * @param afterUnsafeShutdown whether the pool was cut by a machine crash it did not promise to
     *     survive: every log then starts a new generation, one store each
     * @return the number of transactions rolled back
     */
    public static int recover(PersistentMemory memory, PoolLayout layout, boolean afterUnsafeShutdown) {
        int rolledBack = 0;
        for (int i = 0; i < layout.laneCount(); i++) {
            UndoLog log = new UndoLog(memory, layout.undoOffset(i), PoolLayout.UNDO_SIZE);
            if (log.rollback() > 0) {
                rolledBack++;
            }
            if (afterUnsafeShutdown) {
                // A torn first entry may hide entries of this generation further on, which a
                // kill -9 never leaves: a new generation keeps their checksums from vouching for
                // entries later written over them (an ordered snapshot's covers no payload).
                log.invalidate();
            }
        }
        return rolledBack;
    }

    /** Begins a transaction on the calling thread, or joins the one it has. */
    public Transaction begin() {
        ActiveTransaction tx = current.get();
        if (tx != null) {
            tx.join();
            return tx;
        }
        Lane lane = lanes.acquireHeld();
        tx = new ActiveTransaction(this, lane.index(), undoLogs[lane.index()]);
        current.set(tx);
        open.setRelease(lane.index(), tx);
        return tx;
    }

    /**
     * The run bitmap bits that open transactions change at their commit: bitmap word offset to
     * mask. The check leaves them out: until the commit such a unit is taken in memory and still
     * free on media (or the reverse), which is no damage.
     */
    public Map<Long, Long> runBitsInFlight() {
        Map<Long, Long> bits = new HashMap<>();
        for (int i = 0; i < open.length(); i++) {
            ActiveTransaction tx = open.getAcquire(i);
            if (tx != null) {
                tx.addRunBitsInFlight(bits);
            }
        }
        return bits;
    }

    /** Rewrites of pool ranges in place, atomic through the lanes' undo logs, outside transactions. */
    public AtomicRewrite rewrites() {
        return rewrites;
    }

    UndoLog undoLog(int lane) {
        return undoLogs[lane];
    }

    /** The calling thread's transaction, or null. */
    public Transaction current() {
        return current.get();
    }

    void ended(ActiveTransaction tx) {
        open.setRelease(tx.lane, null); // before the lane goes back, and with it this slot
        current.remove();
        lanes.releaseHeld();
    }

    /** Ends the thread's transaction after its rollback failed: the lane stays out of use (see {@link Lanes#retireHeld}). */
    void retired(ActiveTransaction tx) {
        // Stays in open: its run bits stay changed in memory and not on media until recovery, and
        // its retired lane never gets another transaction.
        current.remove();
        lanes.retireHeld();
    }

    /** Allocates a log extension and publishes it into {@code nextField}, atomically. */
    long extendLog(long nextField, long size) {
        try (HeapOperation op = heap.operation()) {
            long segment;
            try {
                segment = op.reserve(size);
            } catch (Heap.OutOfSpace e) {
                throw outOfMemory.apply(size);
            }
            // The segment's own next field must read as the end of the chain, whatever the block
            // held before, or the log would follow a stale link into live data.
            op.set(segment, 0).set(nextField, segment);
            op.commit(); // through the lane this transaction holds
            return segment;
        }
    }

    public long committed() {
        return committed.sum();
    }

    public long aborted() {
        return aborted.sum();
    }
}
