package dev.pmemspring.core.internal.log;

import java.util.Arrays;

/**
 * The word changes of one atomic operation, collected before they are made durable together by a
 * {@link RedoLog} (or, for a single word, by one atomic store). Offsets must be 8-aligned, which
 * leaves their three low bits free to carry the {@link RedoOp}.
 */
public final class RedoBatch {

    private long[] words = new long[16];
    private int count;

    public RedoBatch set(long offset, long value) {
        return add(offset, RedoOp.SET, value);
    }

    public RedoBatch or(long offset, long mask) {
        return add(offset, RedoOp.OR, mask);
    }

    public RedoBatch and(long offset, long mask) {
        return add(offset, RedoOp.AND, mask);
    }

    private RedoBatch add(long offset, RedoOp op, long value) {
        if ((offset & 7) != 0) {
            throw new IllegalArgumentException("redo target must be 8-aligned: " + offset);
        }
        if (2 * count + 2 > words.length) {
            words = Arrays.copyOf(words, words.length * 2);
        }
        words[2 * count] = offset | op.ordinal();
        words[2 * count + 1] = value;
        count++;
        return this;
    }

    public int size() {
        return count;
    }

    public void clear() {
        count = 0;
    }

    long encodedTarget(int i) {
        return words[2 * i];
    }

    long value(int i) {
        return words[2 * i + 1];
    }

    static long offsetOf(long encodedTarget) {
        return encodedTarget & ~7L;
    }

    static RedoOp opOf(long encodedTarget) {
        int code = (int) (encodedTarget & 7);
        return code < RedoOp.BY_CODE.length ? RedoOp.BY_CODE[code] : null;
    }
}
