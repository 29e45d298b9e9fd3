package dev.pmemspring.cache.internal;

import org.springframework.cache.interceptor.SimpleKey;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Turns a cache key into the bytes the pool indexes: equal keys give equal bytes, keys that are not
 * equal give different bytes (a type tag comes first, so {@code 1} and {@code 1L} differ, as they
 * do for {@code equals}). Strings, numbers, UUIDs, enums and Spring's {@link SimpleKey} take a
 * direct path; other keys use Java serialization, so they must be {@link Serializable} with a
 * serialized form that equal keys share (records and plain value classes have one).
 * Keys are only ever encoded, never decoded.
 */
public final class KeyEncoder {

    private static final Field SIMPLE_KEY_PARAMS = simpleKeyParams();

    private KeyEncoder() {}

    public static byte[] encode(Object key) {
        if (key instanceof String s) {
            return string(s);
        }
        if (key instanceof Long l) {
            return longBytes('L', l);
        }
        if (key instanceof Integer i) {
            return longBytes('I', i);
        }
        Buffer out = new Buffer();
        write(out, key);
        return out.toByteArray();
    }

    private static void write(Buffer out, Object key) {
        switch (key) {
            case null -> out.write('0');
            case String s -> out.block('S', s.getBytes(StandardCharsets.UTF_8));
            case Long l -> out.number('L', l);
            case Integer i -> out.number('I', i);
            case Short s -> out.number('H', s);
            case Byte b -> out.number('Y', b);
            case Character c -> out.number('C', c);
            case Boolean b -> out.number('Z', b ? 1 : 0);
            case UUID u -> {
                out.number('U', u.getMostSignificantBits());
                out.number('u', u.getLeastSignificantBits());
            }
            case Enum<?> e ->
                out.block('E', (e.getDeclaringClass().getName() + '#' + e.name()).getBytes(StandardCharsets.UTF_8));
            case SimpleKey k
            when SIMPLE_KEY_PARAMS != null -> {
                Object[] params = params(k);
                out.number('K', params.length);
                for (Object p : params) {
                    write(out, p);
                }
            }
            case Serializable s -> out.block('O', serialize(s));
            default ->
                throw new IllegalArgumentException(
                        "cannot use a " + key.getClass().getName()
                                + " as a cache key: use a String, a number, or a Serializable value type such as a record,"
                                + " or give the cached method a key expression");
        }
    }

    /**
     * {@code 'S'} and the string's UTF-8 bytes. Every hit and put encodes its key, so the usual
     * key, ASCII only, is written in one pass into one array (for ASCII, UTF-8 is the chars
     * themselves); any other char takes the encoder, into the same bytes.
     */
    private static byte[] string(String s) {
        int n = s.length();
        byte[] out = new byte[n + 1];
        out[0] = 'S';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return tagged('S', s.getBytes(StandardCharsets.UTF_8));
            }
            out[i + 1] = (byte) c;
        }
        return out;
    }

    private static byte[] tagged(char tag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    private static byte[] longBytes(char tag, long v) {
        byte[] out = new byte[9];
        out[0] = (byte) tag;
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (v >>> (56 - 8 * i));
        }
        return out;
    }

    private static byte[] serialize(Serializable key) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(key);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot use a " + key.getClass().getName() + " as a cache key: " + e
                            + "; use a String, a number or a record of such",
                    e);
        }
        return bytes.toByteArray();
    }

    private static Object[] params(SimpleKey key) {
        try {
            return (Object[]) SIMPLE_KEY_PARAMS.get(key);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field simpleKeyParams() {
        try {
            // SimpleKey shows its parameters to no one, and its equals compares exactly this array;
            // reading it saves serializing the key. Should a Spring release rename it, keys take
            // the serialized path instead (same equality, slower).
            Field f = SimpleKey.class.getDeclaredField("params");
            f.setAccessible(true);
            return f.getType() == Object[].class ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A growable byte array with length-prefixed blocks, so concatenations cannot collide. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(32);
        }

        void number(char tag, long v) {
            write(tag);
            for (int i = 0; i < 8; i++) {
                write((int) (v >>> (56 - 8 * i)));
            }
        }

        void block(char tag, byte[] body) {
            number(tag, body.length);
            write(body, 0, body.length);
        }
    }
}
