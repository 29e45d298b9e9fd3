package dev.pmemspring.core.internal.heap;

/**
 * One thread's (or a few threads') current run per size class. Threads are spread over arenas so
 * two threads allocating the same size do not contend on one run or one lock.
 */
final class Arena {

    final Run[] current = new Run[SizeClasses.COUNT];
}
