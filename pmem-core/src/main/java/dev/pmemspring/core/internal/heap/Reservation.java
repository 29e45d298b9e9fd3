package dev.pmemspring.core.internal.heap;

/**
 * A block taken from the volatile free structures but not yet published: its persistent metadata
 * still says free, so a crash forgets it. Publishing adds its metadata change to a redo batch;
 * cancelling gives it back.
 *
 * @param handle pool offset of the block
 * @param size usable size in bytes
 * @param run the run holding the unit, or null for a chunk span
 * @param unit the unit index in {@code run}, or the first chunk of the span
 * @param chunks the span's length in chunks (0 for a unit)
 */
public record Reservation(long handle, long size, Run run, int unit, int chunks) {
}
