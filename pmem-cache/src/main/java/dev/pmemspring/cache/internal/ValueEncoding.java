package dev.pmemspring.cache.internal;

import dev.pmemspring.cache.ValueSerializer;
import org.springframework.cache.support.NullValue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The stored form of a cached value: a tag byte, the entry's deadline (8 bytes, epoch millis;
 * present only when the tag's high bit is set, so the heap tier learns an entry's deadline when it
 * reads it from the pool), then the body. Common types skip the serializer: a cached null, strings,
 * longs, integers, doubles, booleans, byte arrays.
 */
public final class ValueEncoding {

    private static final byte NULL = 'N';
    private static final byte STRING = 'S';
    private static final byte LONG = 'L';
    private static final byte INT = 'I';
    private static final byte DOUBLE = 'D';
    private static final byte BOOLEAN = 'Z';
    private static final byte BYTES = 'B';
    private static final byte SERIALIZED = 'O';
    private static final int HAS_DEADLINE = 0x80;

    /**
     * A decoded value, the entry's deadline (0: none), the deadline stored with the value (the one
     * its time-to-live gave, which a time-to-idle never moves past; 0: none), and the length of its
     * stored form.
     */
    public record Decoded(Object value, long expiresAt, long limit, int storedSize) {}

    private ValueEncoding() {}

    /**
     * @param storeValue the value, or {@link NullValue#INSTANCE} for a cached null
     * @throws IllegalArgumentException if the serializer cannot write it or would not read it back
     */
    public static byte[] encode(Object storeValue, long expiresAt, ValueSerializer serializer) {
        int head = expiresAt != 0 ? 9 : 1;
        byte tag;
        byte[] body;
        switch (storeValue) {
            case NullValue n -> {
                tag = NULL;
                body = new byte[0];
            }
            case String s -> {
                tag = STRING;
                body = s.getBytes(StandardCharsets.UTF_8);
            }
            case Long l -> {
                tag = LONG;
                body = ByteBuffer.allocate(8).putLong(l).array();
            }
            case Integer i -> {
                tag = INT;
                body = ByteBuffer.allocate(4).putInt(i).array();
            }
            case Double d -> {
                tag = DOUBLE;
                body = ByteBuffer.allocate(8).putDouble(d).array();
            }
            case Boolean b -> {
                tag = BOOLEAN;
                body = new byte[] {(byte) (b ? 1 : 0)};
            }
            case byte[] bytes -> {
                tag = BYTES;
                body = bytes;
            }
            default -> {
                if (!serializer.allows(storeValue.getClass())) {
                    throw new IllegalArgumentException("cannot cache a "
                            + storeValue.getClass().getName()
                            + ": the " + serializer.id() + " serializer would refuse to read it back; add its"
                            + " package to the allowed classes (pmem.cache.allowed-classes, or"
                            + " " + serializer.getClass().getSimpleName() + ".allowing(\""
                            + packagePattern(storeValue.getClass()) + "\"))");
                }
                // The serializer leaves room for the header: its bytes are not copied once more.
                byte[] out = serializer.serialize(storeValue, head);
                if (out.length < head) {
                    throw new IllegalStateException(serializer.getClass().getName() + " returned " + out.length
                            + " bytes for a value, fewer than the " + head + " bytes of room asked for");
                }
                return withHeader(out, SERIALIZED, expiresAt);
            }
        }
        byte[] out = new byte[head + body.length];
        System.arraycopy(body, 0, out, head, body.length);
        return withHeader(out, tag, expiresAt);
    }

    /** Writes the header (tag, and the deadline if any) into the room left at the start of {@code out}. */
    private static byte[] withHeader(byte[] out, byte tag, long expiresAt) {
        out[0] = (byte) (expiresAt != 0 ? tag | HAS_DEADLINE : tag);
        if (expiresAt != 0) {
            for (int i = 0; i < 8; i++) {
                out[1 + i] = (byte) (expiresAt >>> (56 - 8 * i));
            }
        }
        return out;
    }

    /**
     * Whether {@code storeValue} would go through {@code serializer}, which refuses its class: what
     * {@link #encode} would reject, asked before anything else is done with the value.
     */
    public static boolean refuses(Object storeValue, ValueSerializer serializer) {
        return switch (storeValue) {
            case NullValue n -> false;
            case String s -> false;
            case Long l -> false;
            case Integer i -> false;
            case Double d -> false;
            case Boolean b -> false;
            case byte[] bytes -> false;
            default -> !serializer.allows(storeValue.getClass());
        };
    }

    /**
     * The stored form {@code bytes} with its deadline changed to {@code expiresAt} (0: none), the
     * value's bytes as they are: moving a deadline needs no serialization.
     */
    public static byte[] withDeadline(byte[] bytes, long expiresAt) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty stored value");
        }
        int tag = bytes[0] & ~HAS_DEADLINE & 0xFF;
        int oldHead = (bytes[0] & HAS_DEADLINE) != 0 ? 9 : 1;
        int head = expiresAt != 0 ? 9 : 1;
        byte[] out = new byte[head + bytes.length - oldHead];
        out[0] = (byte) (expiresAt != 0 ? tag | HAS_DEADLINE : tag);
        if (expiresAt != 0) {
            for (int i = 0; i < 8; i++) {
                out[1 + i] = (byte) (expiresAt >>> (56 - 8 * i));
            }
        }
        System.arraycopy(bytes, oldHead, out, head, bytes.length - oldHead);
        return out;
    }

    /**
     * The deadline stored with the value in the first {@code length} bytes of {@code bytes} (0:
     * none), read from the header alone: for a writer that must know whether an entry is live
     * without paying for its value's deserialization.
     */
    public static long deadline(byte[] bytes, int length) {
        return deadline(bytes, 0, length);
    }

    /** {@link #deadline(byte[], int)} of the value in the {@code length} bytes at {@code offset}. */
    public static long deadline(byte[] bytes, int offset, int length) {
        if (length == 0) {
            throw new IllegalArgumentException("empty stored value");
        }
        if ((bytes[offset] & HAS_DEADLINE) == 0) {
            return 0;
        }
        if (length < 9) {
            throw new IllegalArgumentException("a stored value of " + length + " bytes with a deadline");
        }
        return ByteBuffer.wrap(bytes, offset + 1, 8).getLong();
    }

    /** The value stored in {@code bytes}, its entry's deadline taken to be the one stored with it. */
    public static Decoded decode(byte[] bytes, ValueSerializer serializer, ClassLoader loader) throws Exception {
        return decode(bytes, 0, bytes.length, -1, serializer, loader);
    }

    /**
     * The value stored in the {@code length} bytes at {@code offset} of {@code bytes}, whose entry
     * expires at {@code entryExpiresAt} (-1: the deadline stored with the value).
     */
    public static Decoded decode(
            byte[] bytes, int offset, int length, long entryExpiresAt, ValueSerializer serializer, ClassLoader loader)
            throws Exception {
        if (length == 0) {
            throw new IllegalArgumentException("empty stored value");
        }
        int tag = bytes[offset] & 0xFF;
        long expiresAt = 0;
        int head = 1;
        if ((tag & HAS_DEADLINE) != 0) {
            if (length < 9) {
                throw new IllegalArgumentException("a stored value of " + length + " bytes with a deadline");
            }
            expiresAt = ByteBuffer.wrap(bytes, offset + 1, 8).getLong();
            head = 9;
            tag &= ~HAS_DEADLINE;
        }
        int body = offset + head;
        int bodyLength = length - head;
        Object value = switch (tag) {
            case NULL -> NullValue.INSTANCE;
            case STRING -> new String(bytes, body, bodyLength, StandardCharsets.UTF_8);
            case LONG ->
                ByteBuffer.wrap(bytes, body, requireLength(bodyLength, 8)).getLong();
            case INT ->
                ByteBuffer.wrap(bytes, body, requireLength(bodyLength, 4)).getInt();
            case DOUBLE ->
                ByteBuffer.wrap(bytes, body, requireLength(bodyLength, 8)).getDouble();
            case BOOLEAN -> bytes[body + requireLength(bodyLength, 1) - 1] != 0;
            case BYTES -> java.util.Arrays.copyOfRange(bytes, body, offset + length);
            case SERIALIZED -> serializer.deserialize(bytes, body, bodyLength, loader);
            default -> throw new IllegalArgumentException("unknown value tag " + tag);
        };
        return new Decoded(value, entryExpiresAt == -1 ? expiresAt : entryExpiresAt, expiresAt, length);
    }

    /** {@code length}, if it is {@code expected}: the array may be longer than the value (a reused buffer). */
    private static int requireLength(int length, int expected) {
        if (length != expected) {
            throw new IllegalArgumentException("a stored value of " + length + " bytes where " + expected + " belong");
        }
        return length;
    }

    private static String packagePattern(Class<?> type) {
        String pkg = type.getPackageName();
        return pkg.isEmpty() ? type.getName() : pkg + ".**";
    }
}
