package dev.pmemspring.core.internal.memory;

import dev.pmemspring.core.PoolStoppedException;
import org.jspecify.annotations.Nullable;

import java.nio.file.Path;

/**
 * Whether the pool has stopped taking changes, and why. A failed write-back leaves the file's state
 * unknown (the kernel may have dropped the dirty pages it could not write), and a log that could
 * not be rolled back or committed holds the only record of how to finish its change; a later
 * change on top (a lane reusing that log, a block freed and reused under a half-restored range)
 * would make recovery apply the old log over new data. So the first such failure stops every
 * later change until the pool is reopened, where recovery finishes what the logs hold.
 *
 * <p>Recorded where the failure is seen: the mapping's write-back, a redo commit, a rollback, a
 * rewrite's snapshot. Checked where changes start: space reserved (and again after the take), a
 * lane taken, a redo commit, a map created, dropped, cleared or moved to its grown table, each step
 * of a transaction. Operations already past their check when the pool stops finish or fail on
 * their own. The stop is also marked in the pool ({@link #markIn}) for the opens after it.
 */
public final class FailStop {

    private record Failure(String during, Throwable cause) {}

    private final @Nullable Path path;
    private volatile @Nullable Failure first;
    private @Nullable PersistentMemory markMemory;
    private long markOffset;

    public FailStop(@Nullable Path path) {
        this.path = path;
    }

    /**
     * Stops the pool because {@code cause} failed {@code during} an operation (the first failure is
     * the one kept, and carried as the cause; a later one rides along as suppressed). Returns the
     * exception to throw; an {@link Error} is thrown as it is, after the pool stopped.
     */
    public PoolStoppedException stop(String during, Throwable cause) {
        if (cause instanceof PoolStoppedException stopped) {
            return stopped; // already recorded where it was thrown
        }
        boolean now;
        synchronized (this) {
            now = first == null;
            if (now) {
                first = new Failure(during, cause);
            }
        }
        if (now) {
            mark();
        }
        if (cause instanceof Error error) {
            throw error;
        }
        PoolStoppedException refusal = refusal();
        if (refusal.getCause() != cause) {
            refusal.addSuppressed(cause);
        }
        return refusal;
    }

    /**
     * Where the stop is recorded in the pool, for the next open to see: the word at {@code offset}
     * of {@code memory} takes the time of the stop.
     */
    public void markIn(PersistentMemory memory, long offset) {
        this.markMemory = memory;
        this.markOffset = offset;
    }

    /**
     * Records the stop in the pool as well as the storage still takes it: a failing write-back may
     * refuse it, but the store stays in the page cache, which a reopen in this boot reads.
     */
    private void mark() {
        PersistentMemory memory = markMemory;
        if (memory == null) {
            return;
        }
        try {
            memory.putLongAtomic(markOffset, Math.max(1, System.currentTimeMillis()));
            memory.persist(markOffset, 8);
        } catch (RuntimeException | InternalError e) { // InternalError: a fault on a failing DAX device
            // the write-back failed again: the stop stands, the mark is in memory
        }
    }

    /** Throws {@link PoolStoppedException} once the pool has stopped. */
    public void check() {
        if (first != null) {
            throw refusal();
        }
    }

    public boolean stopped() {
        return first != null;
    }

    /** What stopped the pool, or null. */
    public @Nullable String reason() {
        Failure f = first;
        return f == null ? null : f.during() + " failed: " + f.cause();
    }

    /** The exception that refuses a change of the stopped pool. */
    public PoolStoppedException refusal() {
        Failure f = first;
        if (f == null) {
            throw new IllegalStateException("the pool has not stopped");
        }
        return new PoolStoppedException(
                path,
                "the pool takes no more changes since " + f.during() + " failed (" + f.cause() + "): its file may hold"
                        + " a change that only recovery finishes. Close the pool and open it again, after checking the"
                        + " storage if the cause is an I/O error; reads go on until then",
                f.cause());
    }
}
