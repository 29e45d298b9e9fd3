package dev.pmemspring.core.internal.heap;

/**
 * The unit of each size class that one thread freed last. Its next allocation of that class takes
 * it back if it is still free: an overwrite frees the old entry and allocates the next one, and the
 * unit it just freed is still in the CPU cache, where a fresh unit is a cache miss per line
 * written. Volatile state only; one per thread, so unsynchronized.
 */
final class LastFreed {

    final Run[] run = new Run[SizeClasses.COUNT];
    final int[] unit = new int[SizeClasses.COUNT];
}
