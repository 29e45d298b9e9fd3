package dev.pmemspring.core.internal.memory;

import java.io.IOException;
import java.util.Arrays;

/**
 * The byte-addressed persistent memory of one pool, and its persist barrier.
 *
 * <p>Every write to the pool goes through this interface, so a test double can record stores,
 * flushes and fences (the crash simulator) and the production mapping stays one monomorphic call
 * site the JIT inlines. Offsets are from the pool start. A store is durable only after a
 * {@link #flush} of its range followed by a {@link #drain}; in {@code process} durability flush is
 * free and drain only orders stores, which is what a {@code kill -9} needs.
 */
public interface PersistentMemory {

    /** Bytes the pool file backs, from offset 0: nothing may read or write at or past it. */
    long size();

    /**
     * Extends the memory to {@code newSize} bytes: the file gets zeroed, allocated space for the new
     * part, its new length forced to the device, before {@link #size()} says so. A pool grows through it.
     *
     * @throws IOException when the file system cannot give the space; the size stays as it was
     */
    default void grow(long newSize) throws IOException {
        throw new IOException(getClass().getName() + " cannot grow");
    }

    byte getByte(long offset);

    void putByte(long offset, byte value);

    short getShort(long offset);

    void putShort(long offset, short value);

    int getInt(long offset);

    void putInt(long offset, int value);

    long getLong(long offset);

    void putLong(long offset, long value);

    /** Single-copy atomic 8-byte store; {@code offset} must be 8-aligned. */
    void putLongAtomic(long offset, long value);

    /** Atomic compare-and-set of an aligned word. */
    default boolean compareAndSetLong(long offset, long expected, long value) {
        throw new UnsupportedOperationException(
                "compareAndSetLong on " + getClass().getName());
    }

    /** Atomic OR of an aligned word; returns the previous value. */
    long getAndBitwiseOr(long offset, long mask);

    /** Atomic AND of an aligned word; returns the previous value. */
    long getAndBitwiseAnd(long offset, long mask);

    void getBytes(long offset, byte[] target, int targetOffset, int length);

    void putBytes(long offset, byte[] source, int sourceOffset, int length);

    void copy(long sourceOffset, long targetOffset, long length);

    /**
     * Whether the {@code data.length} bytes at {@code offset} equal {@code data}. A read: compares in
     * place where the implementation can (the mapping does), so no copy is made.
     */
    default boolean bytesEqual(long offset, byte[] data) {
        byte[] here = new byte[data.length];
        getBytes(offset, here, 0, data.length);
        return Arrays.equals(here, data);
    }

    void fill(long offset, long length, byte value);

    /** Starts writing back {@code [offset, offset + length)}; durable after the next {@link #drain}. */
    void flush(long offset, long length);

    /** Waits for earlier flushes and orders all earlier stores before all later ones. */
    void drain();

    default void persist(long offset, long length) {
        flush(offset, length);
        drain();
    }

    /**
     * Whether stores persist in the order {@link #drain} gives them, with no flush: true in
     * durability {@code process}, which protects against the process's end alone, and there every
     * store made before a {@code kill -9} stays, in program order. A log may then make an entry
     * whole by ordering its words instead of checksumming them. False (the default) wherever a
     * flushed range may reach the media before an earlier unflushed one: durability {@code sync},
     * and the crash simulator's model of it.
     */
    default boolean persistsInOrder() {
        return false;
    }
}
