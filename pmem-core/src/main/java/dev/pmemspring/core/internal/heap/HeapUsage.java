package dev.pmemspring.core.internal.heap;

/**
 * The heap's figures at one moment.
 *
 * @param heapSize bytes of all chunks
 * @param used bytes in allocated blocks (usable sizes)
 * @param free bytes in free chunks and free run units
 * @param largestFreeBlock the largest block one allocation can get now
 * @param objects allocated blocks
 * @param runs runs of size-class units
 */
public record HeapUsage(long heapSize, long used, long free, long largestFreeBlock, long objects, int runs) {}
