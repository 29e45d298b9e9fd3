package dev.pmemspring.cache.internal;

import java.io.InputStream;
import java.util.Objects;

/**
 * An input stream over a range of a byte array, without locks. {@link java.io.ByteArrayInputStream}
 * synchronizes every call, and {@link java.io.ObjectInputStream} reads its headers one byte at a
 * time; a stream read by one thread needs neither.
 */
public final class ByteArrayInput extends InputStream {

    private final byte[] bytes;
    private final int end;
    private int position;

    public ByteArrayInput(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
    }

    @Override
    public int read() {
        return position < end ? bytes[position++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        int n = Math.min(length, end - position);
        if (n <= 0) {
            return -1;
        }
        System.arraycopy(bytes, position, into, offset, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        int skipped = (int) Math.max(0, Math.min(n, end - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return end - position;
    }
}
