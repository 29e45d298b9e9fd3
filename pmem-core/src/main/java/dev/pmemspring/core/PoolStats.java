package dev.pmemspring.core;

/**
 * A pool's space at one moment.
 *
 * @param poolSize size of the pool file now
 * @param initialSize its size when it was created
 * @param maxSize the size it may grow to ({@code poolSize} for a pool that does not grow)
 * @param growths how many times it grew since it was created
 * @param growthFailures growths that failed since the pool was opened (the file system refused the space)
 * @param canGrow whether the pool can grow now: below its maximum, opened able to grow, and its
 *                last growth not refused
 * @param heapSize bytes the allocator manages (the file less headers, logs and tables)
 * @param used bytes in allocated blocks (usable sizes)
 * @param free bytes free for allocation
 * @param largestFreeBlock the largest single block an allocation could get now
 * @param objects number of allocated blocks
 * @param transactionsCommitted transactions committed since the pool was opened
 * @param transactionsAborted transactions rolled back since the pool was opened
 */
public record PoolStats(
        long poolSize,
        long initialSize,
        long maxSize,
        long growths,
        long growthFailures,
        boolean canGrow,
        long heapSize,
        long used,
        long free,
        long largestFreeBlock,
        long objects,
        long transactionsCommitted,
        long transactionsAborted) {

    /**
     * Bytes free for allocation now plus, while the pool {@linkplain #canGrow() can grow}, the bytes
     * it may still grow by: about what is left before a full pool fails allocations (health and
     * free-space alarms read this, not {@link #free()}).
     */
    public long freeWithGrowth() {
        return free + roomToGrow();
    }

    /** About the heap's size at the largest the pool can get: grown to its maximum while it can grow. */
    public long maxHeapSize() {
        return heapSize + roomToGrow();
    }

    private long roomToGrow() {
        return canGrow ? maxSize - poolSize : 0;
    }
}
