package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.function.UnaryOperator;

/**
 * A decorator that breaks the persist protocol on purpose: it drops one flush, or the drain that
 * follows it, chosen by the flushed range and its order. Installed above the recorder
 * ({@link CrashSimulator#fault}), so the recording shows the broken protocol, and the simulator must
 * then report the corruption it allows. Matches are counted only while the recorder below is
 * recording, so the setup's flushes do not shift the count.
 */
public final class FaultyMemory implements PersistentMemory {

    /** What to drop at the matching flush. */
    public enum Action {
        /** The flush itself: the range is never written back by it. */
        DROP_FLUSH,
        /** The drain that follows the flush: nothing orders what comes next after the range. */
        DROP_NEXT_DRAIN,
        /** Both. */
        DROP_FLUSH_AND_DRAIN
    }

    /**
     * Drops at the {@code occurrence}-th (from 1) flush that lies inside {@code [from, to)} and is
     * at least {@code minLength} bytes long.
     */
    public record Rule(String description, long from, long to, long minLength, int occurrence, Action action) {
        boolean matches(long offset, long length) {
            return offset >= from && offset + length <= to && length >= minLength;
        }
    }

    private final PersistentMemory inner;
    private final Rule rule;
    private int matches;
    private boolean dropNextDrain;
    private boolean fired;

    public FaultyMemory(PersistentMemory inner, Rule rule) {
        this.inner = inner;
        this.rule = rule;
    }

    /** The decorator for {@link CrashSimulator#fault}; {@code sink} receives the instance to ask {@link #fired()}. */
    public static UnaryOperator<PersistentMemory> dropping(Rule rule, FaultyMemory[] sink) {
        return inner -> sink[0] = new FaultyMemory(inner, rule);
    }

    /** Whether the rule matched and dropped something. */
    public boolean fired() {
        return fired;
    }

    private boolean active() {
        return !(inner instanceof RecordingMemory recorder) || recorder.isRecording();
    }

    @Override
    public void flush(long offset, long length) {
        if (active() && rule.matches(offset, length) && ++matches == rule.occurrence()) {
            fired = true;
            dropNextDrain = rule.action() != Action.DROP_FLUSH;
            if (rule.action() != Action.DROP_NEXT_DRAIN) {
                return;
            }
        }
        inner.flush(offset, length);
    }

    @Override
    public void drain() {
        if (dropNextDrain) {
            dropNextDrain = false;
            return;
        }
        inner.drain();
    }

    @Override
    public boolean persistsInOrder() {
        return inner.persistsInOrder();
    }

    @Override
    public void grow(long newSize) throws java.io.IOException {
        inner.grow(newSize);
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
        inner.putByte(o, v);
    }

    @Override
    public short getShort(long o) {
        return inner.getShort(o);
    }

    @Override
    public void putShort(long o, short v) {
        inner.putShort(o, v);
    }

    @Override
    public int getInt(long o) {
        return inner.getInt(o);
    }

    @Override
    public void putInt(long o, int v) {
        inner.putInt(o, v);
    }

    @Override
    public long getLong(long o) {
        return inner.getLong(o);
    }

    @Override
    public void putLong(long o, long v) {
        inner.putLong(o, v);
    }

    @Override
    public void putLongAtomic(long o, long v) {
        inner.putLongAtomic(o, v);
    }

    public boolean compareAndSetLong(long o, long e, long v) {
        return inner.compareAndSetLong(o, e, v);
    }

    @Override
    public long getAndBitwiseOr(long o, long m) {
        return inner.getAndBitwiseOr(o, m);
    }

    @Override
    public long getAndBitwiseAnd(long o, long m) {
        return inner.getAndBitwiseAnd(o, m);
    }

    @Override
    public void getBytes(long o, byte[] t, int to, int l) {
        inner.getBytes(o, t, to, l);
    }

    @Override
    public void putBytes(long o, byte[] s, int so, int l) {
        inner.putBytes(o, s, so, l);
    }

    @Override
    public void copy(long s, long t, long l) {
        inner.copy(s, t, l);
    }

    @Override
    public void fill(long o, long l, byte v) {
        inner.fill(o, l, v);
    }
}
