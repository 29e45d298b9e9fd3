package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * An allocation the pool cannot satisfy: not enough free space, or no free block large enough.
 * The pool stays usable; free something or create a larger pool.
 */
public class PoolOutOfMemoryException extends PmemException {

    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long free;
    private final long largestFreeBlock;

    public PoolOutOfMemoryException(Path path, long requested, long free, long largestFreeBlock) {
        super(
                path,
                "out of pool memory: cannot allocate " + requested + " bytes (free " + free
                        + " bytes, largest free block " + largestFreeBlock
                        + " bytes); free unused objects or create a larger pool");
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
