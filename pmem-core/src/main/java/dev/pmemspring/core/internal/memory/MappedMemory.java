package dev.pmemspring.core.internal.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * {@link PersistentMemory} over a memory-mapped pool file.
 *
 * <p>With {@code flushes} set (durability {@code sync}) a flush writes the range back with
 * {@link MemorySegment#force()}: a CPU cache write-back on a {@code MAP_SYNC} (DAX) mapping,
 * {@code msync} elsewhere. Without it (durability {@code process}) a flush does nothing: every
 * store is already in the page cache, which outlives the process. In both modes {@link #drain()}
 * is a store-store fence, because the JIT may otherwise reorder plain stores and a {@code kill -9}
 * between them could leave data written before the log that protects it.
 *
 * <p>A growable pool maps its maximum size at once over a shorter file: {@link #size()} is the
 * part the file backs, and {@link #grow} extends the file before it raises it. Nothing in the
 * pool reads or writes past {@link #size()}, so no access meets a page without file behind it
 * (which the kernel answers with SIGBUS); offsets and this segment never change.
 */
public final class MappedMemory implements PersistentMemory {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final VarHandle ALIGNED_LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle ARRAY_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Gives the file the space behind a part of the mapping; see {@link MappedMemory#grow}. */
    @FunctionalInterface
    public interface Backing {
        /**
         * Allocates zeroed file space for {@code [from, to)}, its new length forced to the device.
         *
         * @throws IOException when the file system cannot give it (no space, a file size limit)
         */
        void extend(long from, long to) throws IOException;
    }

    private final MemorySegment segment;
    private final boolean flushes;
    private final boolean persistsInOrder;
    private final Backing backing;
    private final FailStop failStop;
    private volatile long size;

    /** Memory over all of {@code segment}, which cannot grow; stores are not taken to persist in order. */
    public MappedMemory(MemorySegment segment, boolean flushes) {
        this(segment, segment.byteSize(), flushes, false, null, null);
    }

    /**
     * Memory over the first {@code size} bytes of {@code segment}, grown through {@code backing};
     * a failed write-back stops {@code failStop}'s pool (null: it is only thrown).
     *
     * @param persistsInOrder what {@link #persistsInOrder} answers: true for durability {@code
     *     process} alone. Not derived from {@code flushes}: {@code sync} on a DAX mapping whose
     *     persistence domain is the CPU cache flushes nothing either, and there the order in which
     *     stores survive a power loss is the CPU's, which nothing here argues or tests.
     */
    public MappedMemory(
            MemorySegment segment,
            long size,
            boolean flushes,
            boolean persistsInOrder,
            Backing backing,
            FailStop failStop) {
        if (size > segment.byteSize()) {
            throw new IllegalArgumentException("backed size " + size + " exceeds the mapping's " + segment.byteSize());
        }
        this.segment = segment;
        this.size = size;
        this.flushes = flushes;
        this.persistsInOrder = persistsInOrder;
        this.backing = backing;
        this.failStop = failStop;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void grow(long newSize) throws IOException {
        long now = size;
        if (newSize <= now) {
            return;
        }
        if (backing == null || newSize > segment.byteSize()) {
            throw new IOException("this memory cannot grow from " + now + " to " + newSize + " bytes");
        }
        backing.extend(now, newSize);
        size = newSize; // after the file has the space: nothing may touch a page before it has
    }

    @Override
    public byte getByte(long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset);
    }

    @Override
    public void putByte(long offset, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, value);
    }

    @Override
    public short getShort(long offset) {
        return segment.get(SHORT, offset);
    }

    @Override
    public void putShort(long offset, short value) {
        segment.set(SHORT, offset, value);
    }

    @Override
    public int getInt(long offset) {
        return segment.get(INT, offset);
    }

    @Override
    public void putInt(long offset, int value) {
        segment.set(INT, offset, value);
    }

    @Override
    public long getLong(long offset) {
        return segment.get(LONG, offset);
    }

    @Override
    public void putLong(long offset, long value) {
        segment.set(LONG, offset, value);
    }

    @Override
    public void putLongAtomic(long offset, long value) {
        ALIGNED_LONG.setOpaque(segment, offset, value);
    }

    @Override
    public boolean compareAndSetLong(long offset, long expected, long value) {
        return ALIGNED_LONG.compareAndSet(segment, offset, expected, value);
    }

    @Override
    public long getAndBitwiseOr(long offset, long mask) {
        return (long) ALIGNED_LONG.getAndBitwiseOr(segment, offset, mask);
    }

    @Override
    public long getAndBitwiseAnd(long offset, long mask) {
        return (long) ALIGNED_LONG.getAndBitwiseAnd(segment, offset, mask);
    }

    @Override
    public void getBytes(long offset, byte[] target, int targetOffset, int length) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, target, targetOffset, length);
    }

    @Override
    public void putBytes(long offset, byte[] source, int sourceOffset, int length) {
        MemorySegment.copy(source, sourceOffset, segment, ValueLayout.JAVA_BYTE, offset, length);
    }

    @Override
    public void copy(long sourceOffset, long targetOffset, long length) {
        MemorySegment.copy(segment, sourceOffset, segment, targetOffset, length);
    }

    @Override
    public boolean bytesEqual(long offset, byte[] data) {
        // Eight bytes at a time, both sides in native order; no copy and no allocation.
        int i = 0;
        for (; i + 8 <= data.length; i += 8) {
            if (segment.get(LONG, offset + i) != (long) ARRAY_LONG.get(data, i)) {
                return false;
            }
        }
        for (; i < data.length; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, offset + i) != data[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void fill(long offset, long length, byte value) {
        segment.asSlice(offset, length).fill(value);
    }

    @Override
    public void flush(long offset, long length) {
        if (flushes && length > 0) {
            try {
                segment.asSlice(offset, length).force();
            } catch (UncheckedIOException e) {
                throw writeBackFailed(e);
            }
        }
    }

    /**
     * What a failed write-back ({@code msync}) throws: the pool stops. The kernel may have dropped
     * the pages it could not write, so what the file holds is no longer known, and a retry cannot
     * tell (PostgreSQL's fsync lesson). Public for tests that simulate the failure.
     */
    public RuntimeException writeBackFailed(UncheckedIOException e) {
        return failStop == null ? e : failStop.stop("writing the pool back to its file", e);
    }

    @Override
    public void drain() {
        VarHandle.storeStoreFence();
    }

    @Override
    public boolean persistsInOrder() {
        return persistsInOrder;
    }
}
