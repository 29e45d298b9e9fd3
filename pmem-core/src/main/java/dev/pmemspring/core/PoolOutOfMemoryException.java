package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * An allocation the pool cannot satisfy: not enough free space, or no free block large enough.
 * The pool stays usable; free something or create a larger pool. For a pool that grows, this comes
 * only at its maximum size, or when its file system refused the space: then the cause is a
 * {@link PoolNoSpaceException} saying so.
 */
public class PoolOutOfMemoryException extends PmemException {

    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long free;
    private final long largestFreeBlock;

    public PoolOutOfMemoryException(Path path, long requested, long free, long largestFreeBlock) {
        this(path, requested, free, largestFreeBlock, null);
    }

    /**
     * With {@code cannotGrow} when the pool could have grown but its last growth failed: a
     * {@link PoolNoSpaceException} when the file system refused the space.
     */
    public PoolOutOfMemoryException(
            Path path, long requested, long free, long largestFreeBlock, PmemException cannotGrow) {
        super(
                path,
                "out of pool memory: cannot allocate " + requested + " bytes (free " + free
                        + " bytes, largest free block " + largestFreeBlock + " bytes); "
                        + (cannotGrow == null
                                ? "free unused objects or create a larger pool"
                                : cannotGrow instanceof PoolNoSpaceException
                                        ? "the pool could not grow, its file system is full: free disk space"
                                        : "the pool could not grow (see the cause)"),
                cannotGrow);
        this.requested = requested;
        this.free = free;
        this.largestFreeBlock = largestFreeBlock;
    }

    public long requested() {
        return requested;
    }

    public long free() {
        return free;
    }

    public long largestFreeBlock() {
        return largestFreeBlock;
    }
}
