package dev.pmemspring.core;

/**
 * A pool's space at one moment.
 *
 * @param poolSize size of the pool file now
 * @param initialSize its size when it was created
 * @param maxSize the size it may grow to ({@code poolSize} for a pool that does not grow)
 * @param growths how many times it grew since it was created
 * @param growthFailures growths the file system refused since the pool was opened (a full disk)
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
        long heapSize,
        long used,
        long free,
        long largestFreeBlock,
        long objects,
        long transactionsCommitted,
        long transactionsAborted) {

    /**
     * Bytes free for allocation now plus the bytes the pool may still grow by: what is left before
     * a full pool fails allocations (health and free-space alarms read this, not {@link #free()}).
     */
    public long freeWithGrowth() {
        return free + (maxSize - poolSize);
    }

    /** The heap's size once grown to the maximum: the pool's capacity for data. */
    public long maxHeapSize() {
        return heapSize + (maxSize - poolSize);
    }
}
