package dev.pmemspring.core.internal.memory;

import java.lang.foreign.Arena;

/**
 * Test memory that "crashes" (throws) at the n-th change of a word at or above {@code guardFrom}:
 * a crash at a chosen step of a protocol, after which the test runs recovery on what is left.
 * Every store up to the crash stays, as after a {@code kill -9}; a bulk store (a copy, fill or
 * array write) that the crash meets keeps its first half.
 */
public final class DyingMemory implements PersistentMemory {

    private final PersistentMemory inner;
    private final long guardFrom;
    public int changesLeft = Integer.MAX_VALUE;
    /** What {@link #persistsInOrder} answers: true to test what a log writes for durability {@code process}. */
    public boolean inOrder;

    public DyingMemory(long size, long guardFrom) {
        this.inner = new MappedMemory(Arena.ofAuto().allocate(size, 64), false);
        this.guardFrom = guardFrom;
    }

    public DyingMemory() {
        this(16384, 4096);
    }

    private void change(long offset) {
        if (offset >= guardFrom && changesLeft-- <= 0) {
            throw new IllegalStateException("crash");
        }
    }

    /** As {@link #change}, for a bulk store of {@code length} bytes at {@code offset}: runs its first half, then dies. */
    private void bulkChange(long offset, long length, Runnable firstHalf) {
        if (offset >= guardFrom && changesLeft-- <= 0) {
            if (length > 1) {
                firstHalf.run();
            }
            throw new IllegalStateException("crash");
        }
    }

    @Override
    public boolean persistsInOrder() {
        return inOrder;
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public byte getByte(long o) {
        return inner.getByte(o);
    }

    @Override
    public void putByte(long o, byte v) {
        change(o);
        inner.putByte(o, v);
    }

    @Override
    public short getShort(long o) {
        return inner.getShort(o);
    }

    @Override
    public void putShort(long o, short v) {
        change(o);
        inner.putShort(o, v);
    }

    @Override
    public int getInt(long o) {
        return inner.getInt(o);
    }

    @Override
    public void putInt(long o, int v) {
        change(o);
        inner.putInt(o, v);
    }

    @Override
    public long getLong(long o) {
        return inner.getLong(o);
    }

    @Override
    public void putLong(long o, long v) {
        change(o);
        inner.putLong(o, v);
    }

    @Override
    public void putLongAtomic(long o, long v) {
        change(o);
        inner.putLongAtomic(o, v);
    }

    @Override
    public long getAndBitwiseOr(long o, long m) {
        change(o);
        return inner.getAndBitwiseOr(o, m);
    }

    @Override
    public long getAndBitwiseAnd(long o, long m) {
        change(o);
        return inner.getAndBitwiseAnd(o, m);
    }

    @Override
    public void getBytes(long o, byte[] t, int to, int l) {
        inner.getBytes(o, t, to, l);
    }

    @Override
    public void putBytes(long o, byte[] s, int so, int l) {
        bulkChange(o, l, () -> inner.putBytes(o, s, so, l / 2));
        inner.putBytes(o, s, so, l);
    }

    @Override
    public void copy(long s, long t, long l) {
        bulkChange(t, l, () -> inner.copy(s, t, l / 2));
        inner.copy(s, t, l);
    }

    @Override
    public void fill(long o, long l, byte v) {
        bulkChange(o, l, () -> inner.fill(o, l / 2, v));
        inner.fill(o, l, v);
    }

    @Override
    public void flush(long o, long l) {
        inner.flush(o, l);
    }

    @Override
    public void drain() {
        inner.drain();
    }
}
