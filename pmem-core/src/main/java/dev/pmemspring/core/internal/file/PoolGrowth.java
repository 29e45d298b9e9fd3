package dev.pmemspring.core.internal.file;

import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a pool file grows: the size of the next step, the file space behind it, and the one step that
 * makes the new size part of the pool (both header copies rewritten). The heap drives a growth when
 * its chunks run out and writes the new chunks' header in between ({@code Heap.grow}); the order of
 * the steps, and why it is safe, is written there.
 *
 * <p>A growth that the file system refuses (no space, a file size limit) leaves the pool at its
 * size: the allocation that asked fails as it did before growth existed, and the pool does not ask
 * the file system again for a second, so a full disk does not cost a system call per allocation.
 */
public final class PoolGrowth {

    /** The least step when none is configured: 64 MiB (or a quarter of the pool, if that is more). */
    public static final long DEFAULT_MIN_STEP = 64L << 20;

    private static final System.Logger LOG = System.getLogger(PoolGrowth.class.getName());
    private static final long RETRY_AFTER_FAILURE_NANOS = 1_000_000_000L;

    private final PoolFile file;
    private final PersistentMemory memory;
    private final long step;
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure;
    private volatile boolean lastFailureNoSpace;
    private volatile long failedAt;

    /**
     * @param step bytes to add per growth; 0 for the default: a quarter of the pool, at least
     *             {@link #DEFAULT_MIN_STEP}
     */
    public PoolGrowth(PoolFile file, PersistentMemory memory, long step) {
        this.file = file;
        this.memory = memory;
        this.step = step;
    }

    /**
     * The size to grow a pool of layout {@code now} to, for at least {@code chunks} more chunks if the
     * maximum allows (else up to the maximum); or -1 when it cannot grow: at its maximum, or refused
     * by the file system less than a second ago.
     */
    public long nextSize(PoolLayout now, int chunks) {
        if (now.chunkCount() >= now.maxChunkCount()
                || (failedAt != 0 && System.nanoTime() - failedAt < RETRY_AFTER_FAILURE_NANOS)) {
            return -1;
        }
        long stepBytes = step > 0 ? step : Math.max(DEFAULT_MIN_STEP, now.poolSize() / 4);
        long stepChunks = Math.max(1, stepBytes / PoolLayout.CHUNK_SIZE);
        long target = Math.min(now.chunkCount() + Math.max(stepChunks, chunks), now.maxChunkCount());
        return now.sizeFor((int) target);
    }

    /** Gives the file the space up to {@code newSize}; false (logged, counted) if the file system refuses. */
    public boolean extend(long newSize) {
        try {
            memory.grow(newSize);
            failedAt = 0;
            return true;
        } catch (IOException e) {
            failures.incrementAndGet();
            lastFailure = e.getMessage();
            lastFailureNoSpace = e instanceof FileSpace.NoSpaceException;
            failedAt = Math.max(1, System.nanoTime());
            LOG.log(
                    System.Logger.Level.WARNING,
                    "pool " + file.path() + " cannot grow from " + memory.size() + " to " + newSize + " bytes: "
                            + e.getMessage() + "; it goes on at its size"
                            + (lastFailureNoSpace ? " (free disk space to let it grow)" : ""));
            return false;
        }
    }

    /**
     * Makes {@code newSize} the pool's size, in both header copies ({@link PoolFile#commitHeader}).
     * The header never records space the file lacks: {@link #extend} gave the file its space, on
     * the device, first.
     */
    public void commit(long newSize) {
        file.commitHeader(memory, file.header().grownTo(newSize));
    }

    /** Growths that failed since the pool was opened (the file system refused the space, mostly). */
    public long failures() {
        return failures.get();
    }

    /** Why the last refused growth was refused, or null. */
    public String lastFailure() {
        return lastFailure;
    }

    /** Whether the last growth asked for was refused: a full pool then means a full disk (or see {@link #lastFailure}). */
    public boolean refused() {
        return failedAt != 0;
    }

    /** Whether the last refusal was the file system's lack of space (or a file size limit). */
    public boolean refusedForSpace() {
        return lastFailureNoSpace;
    }
}
