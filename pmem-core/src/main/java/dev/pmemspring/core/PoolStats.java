package dev.pmemspring.core;

/**
 * A pool's space at one moment.
 *
 * @param poolSize size of the pool file
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
        long heapSize,
        long used,
        long free,
        long largestFreeBlock,
        long objects,
        long transactionsCommitted,
        long transactionsAborted) {}
