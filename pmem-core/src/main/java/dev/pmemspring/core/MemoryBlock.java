package dev.pmemspring.core;

import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.Objects;

/**
 * A view of one allocated block (or the root object): typed reads and writes checked against the
 * block's bounds, not only the pool's. Offsets are relative to the block start.
 *
 * <p>Writes are not durable until persisted: call {@link #persist()} (or {@link #persist(long, long)})
 * once after a group of writes. Blocks written in an allocation's initializer are persisted by the
 * pool before the block is published.
 *
 * <pre>{@code
 * MemoryBlock account = pool.block(handle);
 * account.putLong(0, 100);
 * account.putBytes(8, name);
 * account.persist();
 * }</pre>
 *
 * <p>A block is a cheap view; make as many as you like. Using it after its block was freed reads and
 * writes whatever reuses the space, as with any allocator.
 */
public final class MemoryBlock {

    private final PersistentMemory memory;
    private final long handle;
    private final long size;

    MemoryBlock(PersistentMemory memory, long handle, long size) {
        this.memory = memory;
        this.handle = handle;
        this.size = size;
    }

    /** The block's handle: its offset in the pool, valid across restarts. */
    public long handle() {
        return handle;
    }

    /** The block's size in bytes (the usable size, at least what was asked for). */
    public long size() {
        return size;
    }

    /** The pool offset of {@code offset} in this block, for fields other blocks point to. */
    public long fieldHandle(long offset) {
        check(offset, 8);
        return handle + offset;
    }

    public byte getByte(long offset) {
        check(offset, 1);
        return memory.getByte(handle + offset);
    }

    public void putByte(long offset, byte value) {
        check(offset, 1);
        memory.putByte(handle + offset, value);
    }

    public short getShort(long offset) {
        check(offset, 2);
        return memory.getShort(handle + offset);
    }

    public void putShort(long offset, short value) {
        check(offset, 2);
        memory.putShort(handle + offset, value);
    }

    public int getInt(long offset) {
        check(offset, 4);
        return memory.getInt(handle + offset);
    }

    public void putInt(long offset, int value) {
        check(offset, 4);
        memory.putInt(handle + offset, value);
    }

    public long getLong(long offset) {
        check(offset, 8);
        return memory.getLong(handle + offset);
    }

    public void putLong(long offset, long value) {
        check(offset, 8);
        memory.putLong(handle + offset, value);
    }

    public byte[] getBytes(long offset, int length) {
        byte[] bytes = new byte[length];
        getBytes(offset, bytes, 0, length);
        return bytes;
    }

    public void getBytes(long offset, byte[] target, int targetOffset, int length) {
        check(offset, length);
        Objects.checkFromIndexSize(targetOffset, length, target.length);
        memory.getBytes(handle + offset, target, targetOffset, length);
    }

    public void putBytes(long offset, byte[] source) {
        putBytes(offset, source, 0, source.length);
    }

    public void putBytes(long offset, byte[] source, int sourceOffset, int length) {
        check(offset, length);
        Objects.checkFromIndexSize(sourceOffset, length, source.length);
        memory.putBytes(handle + offset, source, sourceOffset, length);
    }

    /** Copies {@code length} bytes from {@code source} (another block or this one) into this block. */
    public void copyFrom(MemoryBlock source, long sourceOffset, long offset, long length) {
        source.check(sourceOffset, length);
        check(offset, length);
        memory.copy(source.handle + sourceOffset, handle + offset, length);
    }

    public void fill(long offset, long length, byte value) {
        check(offset, length);
        memory.fill(handle + offset, length, value);
    }

    /** Makes all earlier writes to the whole block durable. */
    public void persist() {
        memory.persist(handle, size);
    }

    /** Makes earlier writes to {@code [offset, offset + length)} durable. */
    public void persist(long offset, long length) {
        check(offset, length);
        memory.persist(handle + offset, length);
    }

    private void check(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + " + " + length
                    + ") is outside the block of " + size + " bytes at handle " + handle);
        }
    }

    @Override
    public String toString() {
        return "MemoryBlock[handle=" + handle + ", size=" + size + "]";
    }
}
