package dev.pmemspring.cache.redis.internal;

import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Everything the coherence keeps in the pool, in one map, {@value #MAP_NAME}, and the layout of
 * each record (integers big-endian):
 *
 * <pre>
 * outbox, a key change:  'K' | u16 cache-name length | cache name (UTF-8) | the key's stored form
 * outbox, a cache clear: 'C' | cache name (UTF-8)
 *   -> u64 sequence (orders the changes of one process) | u64 written at (epoch millis)
 * position, per stream:  'P' | stream key (UTF-8)
 *   -> u8 version (1) | u8 epoch length | epoch (UTF-8) | u64 id millis | u64 id sequence
 * </pre>
 *
 * An outbox record exists from just before a local change until Redis acknowledged it; the
 * position is the last stream entry applied here, and the epoch of the stream it belongs to.
 */
public final class PoolRecords {

    public static final String MAP_NAME = "pmem-coherence";

    private static final byte KEY = 'K';
    private static final byte CLEAR = 'C';
    private static final byte POSITION = 'P';
    private static final int POSITION_VERSION = 1;
    private static final int PENDING_BYTES = 16;

    private PoolRecords() {}

    /** The outbox key of a change. */
    static byte[] changeKey(Change.Kind kind, String cache, byte @Nullable [] key) {
        byte[] name = cache.getBytes(StandardCharsets.UTF_8);
        if (kind == Change.Kind.CLEAR) {
            byte[] out = new byte[1 + name.length];
            out[0] = CLEAR;
            System.arraycopy(name, 0, out, 1, name.length);
            return out;
        }
        if (name.length > 0xFFFF) {
            throw new IllegalArgumentException("cache name over 65535 bytes");
        }
        byte[] out = new byte[3 + name.length + key.length];
        out[0] = KEY;
        out[1] = (byte) (name.length >>> 8);
        out[2] = (byte) name.length;
        System.arraycopy(name, 0, out, 3, name.length);
        System.arraycopy(key, 0, out, 3 + name.length, key.length);
        return out;
    }

    /** Whether a record key belongs to the outbox (rather than a position). */
    public static boolean isChange(byte[] recordKey) {
        return recordKey.length > 0 && (recordKey[0] == KEY || recordKey[0] == CLEAR);
    }

    /** The change an outbox key names; null if it is malformed. */
    public static @Nullable Change parseChange(byte[] recordKey) {
        if (recordKey.length == 0) {
            return null;
        }
        if (recordKey[0] == CLEAR) {
            return Change.of(
                    Change.Kind.CLEAR,
                    new String(recordKey, 1, recordKey.length - 1, StandardCharsets.UTF_8),
                    null,
                    recordKey);
        }
        if (recordKey[0] != KEY || recordKey.length < 3) {
            return null;
        }
        int nameLength = ((recordKey[1] & 0xFF) << 8) | (recordKey[2] & 0xFF);
        if (3 + nameLength > recordKey.length) {
            return null;
        }
        String cache = new String(recordKey, 3, nameLength, StandardCharsets.UTF_8);
        return Change.of(
                Change.Kind.KEY, cache, Arrays.copyOfRange(recordKey, 3 + nameLength, recordKey.length), recordKey);
    }

    /** An outbox record's value. */
    static byte[] pendingValue(long sequence, long writtenAt) {
        return ByteBuffer.allocate(PENDING_BYTES)
                .putLong(sequence)
                .putLong(writtenAt)
                .array();
    }

    /** The sequence of an outbox value; -1 if malformed. */
    static long pendingSequence(byte[] value) {
        return value.length == PENDING_BYTES ? ByteBuffer.wrap(value).getLong(0) : -1;
    }

    /** The write time of an outbox value; 0 if malformed. */
    static long pendingWrittenAt(byte[] value) {
        return value.length == PENDING_BYTES ? ByteBuffer.wrap(value).getLong(8) : 0;
    }

    public static byte[] positionKey(String stream) {
        byte[] name = stream.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[1 + name.length];
        out[0] = POSITION;
        System.arraycopy(name, 0, out, 1, name.length);
        return out;
    }

    public static byte[] positionValue(Position position) {
        byte[] epoch = position.epoch().getBytes(StandardCharsets.UTF_8);
        if (epoch.length > 255) {
            throw new IllegalArgumentException("stream epoch over 255 bytes");
        }
        return ByteBuffer.allocate(2 + epoch.length + 16)
                .put((byte) POSITION_VERSION)
                .put((byte) epoch.length)
                .put(epoch)
                .putLong(position.id().millis())
                .putLong(position.id().sequence())
                .array();
    }

    /** The position a record holds; null if it is malformed or of an unknown version (treated as none). */
    public static @Nullable Position parsePosition(byte @Nullable [] value) {
        if (value == null || value.length < 2 || value[0] != POSITION_VERSION) {
            return null;
        }
        int epochLength = value[1] & 0xFF;
        if (value.length != 2 + epochLength + 16) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(value, 2 + epochLength, 16);
        return new Position(
                new String(value, 2, epochLength, StandardCharsets.UTF_8), new StreamId(b.getLong(), b.getLong()));
    }
}
