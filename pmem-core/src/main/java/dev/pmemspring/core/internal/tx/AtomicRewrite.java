package dev.pmemspring.core.internal.tx;

import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.memory.PersistentMemory;

/**
 * Rewrites a range of the pool in place as one atomic step under any crash, outside any
 * transaction: the range's old bytes go to the calling thread's lane's undo log before the caller
 * changes them, so recovery puts them back if a crash comes before {@link #commit}. The map's
 * same-size overwrites use it: rewriting the entry where it is touches the entry and the thread's
 * own log, where a new block would also touch two allocator bitmaps (in the pool and in memory)
 * and the slot, lines that two writing threads otherwise trade between cores.
 *
 * <pre>{@code
 * int lane = rewrite.begin(offset, length);
 * if (lane >= 0) {
 *     try {
 *         ... write [offset, offset + length), flush it ...
 *         rewrite.commit(lane);
 *     } catch (RuntimeException | Error e) {
 *         rewrite.abort(lane);
 *         throw e;
 *     }
 * }
 * }</pre>
 *
 * The caller excludes other writers of the range; readers that read without a lock must detect
 * a concurrent rewrite themselves (the map's seqlock does).
 */
public final class AtomicRewrite {

    /** The largest range rewritten in place: its snapshot fits the lane's undo area with room to spare. */
    public static final long MAX_LENGTH = 4096;

    private final PersistentMemory memory;
    private final Lanes lanes;
    private final TransactionEngine transactions;

    AtomicRewrite(PersistentMemory memory, Lanes lanes, TransactionEngine transactions) {
        this.memory = memory;
        this.lanes = lanes;
        this.transactions = transactions;
    }

    /**
     * Logs the bytes of {@code [offset, offset + length)} (durable when this returns) and holds a
     * lane for the rewrite. Returns the lane, or -1 if the calling thread is in a transaction (its
     * lane's undo log belongs to the transaction, whose rollback must not undo this write): the
     * caller then writes elsewhere.
     */
    public int begin(long offset, long length) {
        if (length <= 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("rewrite length must be 1.." + MAX_LENGTH + ": " + length);
        }
        if (transactions.current() != null) {
            return -1;
        }
        int lane = lanes.acquireHeld().index();
        try {
            transactions.undoLog(lane).logSnapshot(offset, length, transactions::extendLog);
        } catch (RuntimeException | Error e) {
            // A snapshot cut part-way may still verify: were the lane given out, a crash before its
            // next commit would restore these bytes over whatever the range holds by then.
            throw stop("logging an in-place rewrite", e);
        }
        return lane;
    }

    /** Ends the rewrite: the commit point is the one store that empties the log. */
    public void commit(int lane) {
        // The rewritten bytes (flushed by the caller) are durable before the log that would
        // restore the old ones is dropped.
        memory.drain();
        transactions.undoLog(lane).invalidate();
        lanes.releaseHeld();
    }

    /** Puts the old bytes back and ends the rewrite. */
    public void abort(int lane) {
        try {
            transactions.undoLog(lane).rollback();
        } catch (RuntimeException | Error e) {
            throw stop("undoing an in-place rewrite", e);
        }
        lanes.releaseHeld();
    }

    /** The log of the held lane is recovery's now: the pool stops, and the lane is never given out again. */
    private PoolStoppedException stop(String during, Throwable failure) {
        lanes.retireHeld();
        return lanes.failStop().stop(during, failure);
    }
}
