package dev.pmemspring.cache.internal;

import dev.pmemspring.cache.ValueSerializer;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.interceptor.SimpleKey;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The inverse of {@link KeyEncoder}: the key object whose stored form a peer sent, so that the
 * heap tier, which holds key objects, can drop it under the key's own lock. Serialized keys are
 * read through the cache's class loader and only if the cache's serializer allows their classes.
 * A key that cannot be decoded is reported as {@code null}; the caller then falls back to
 * something coarser (clearing the heap tier), never to a guess.
 */
public final class KeyDecoder {

    private KeyDecoder() {}

    /** The key {@code bytes} encode, or null if they cannot be decoded here. */
    public static @Nullable Object decode(byte[] bytes, ValueSerializer serializer, ClassLoader loader) {
        try {
            if (bytes.length == 0) {
                return null;
            }
            // top-level strings and longs/ints take KeyEncoder's short forms (no length prefix)
            switch (bytes[0]) {
                case 'S' -> {
                    return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
                }
                case 'L' -> {
                    return bytes.length == 9 ? number(bytes, 1) : null;
                }
                case 'I' -> {
                    return bytes.length == 9 ? (int) number(bytes, 1) : null;
                }
                default -> {
                    Reader in = new Reader(bytes, serializer, loader);
                    Object key = in.read();
                    return in.position == bytes.length ? key : null;
                }
            }
        } catch (RuntimeException | IOException | ClassNotFoundException e) {
            return null;
        }
    }

    private static long number(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    /** Reads KeyEncoder's structured form: a tag, then a number, a length-prefixed block or elements. */
    private static final class Reader {
        private final byte[] bytes;
        private final ValueSerializer serializer;
        private final ClassLoader loader;
        int position;

        Reader(byte[] bytes, ValueSerializer serializer, ClassLoader loader) {
            this.bytes = bytes;
            this.serializer = serializer;
            this.loader = loader;
        }

        Object read() throws IOException, ClassNotFoundException {
            char tag = (char) bytes[position++];
            return switch (tag) {
                case '0' -> null;
                case 'S' -> new String(block(), StandardCharsets.UTF_8);
                case 'L' -> next();
                case 'I' -> (int) next();
                case 'H' -> (short) next();
                case 'Y' -> (byte) next();
                case 'C' -> (char) next();
                case 'Z' -> next() != 0;
                case 'U' -> {
                    long most = next();
                    if (bytes[position++] != 'u') {
                        throw new IOException("malformed UUID key");
                    }
                    yield new UUID(most, next());
                }
                case 'E' -> enumConstant(new String(block(), StandardCharsets.UTF_8));
                case 'K' -> {
                    long count = next();
                    if (count < 0 || count > bytes.length) {
                        throw new IOException("malformed key");
                    }
                    Object[] params = new Object[(int) count];
                    for (int i = 0; i < params.length; i++) {
                        params[i] = read();
                    }
                    yield new SimpleKey(params);
                }
                case 'O' -> deserialize(block());
                default -> throw new IOException("unknown key tag " + tag);
            };
        }

        private long next() {
            long v = number(bytes, position);
            position += 8;
            return v;
        }

        private byte[] block() throws IOException {
            long length = next();
            if (length < 0 || length > bytes.length - position) {
                throw new IOException("malformed key");
            }
            byte[] out = java.util.Arrays.copyOfRange(bytes, position, position + (int) length);
            position += (int) length;
            return out;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object enumConstant(String name) throws ClassNotFoundException {
            int hash = name.lastIndexOf('#');
            Class<?> type = Class.forName(name.substring(0, hash), false, loader);
            if (!type.isEnum()) {
                throw new ClassNotFoundException(type.getName() + " is not an enum");
            }
            return Enum.valueOf((Class) type, name.substring(hash + 1));
        }

        private Object deserialize(byte[] body) throws IOException, ClassNotFoundException {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(body)) {
                @Override
                protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                    return Class.forName(desc.getName(), false, loader);
                }
            }) {
                in.setObjectInputFilter(info -> {
                    if (info.depth() > AllowListFilter.MAX_DEPTH
                            || info.references() > AllowListFilter.MAX_REFERENCES
                            || info.arrayLength() > AllowListFilter.MAX_ARRAY_LENGTH) {
                        return ObjectInputFilter.Status.REJECTED;
                    }
                    Class<?> type = info.serialClass();
                    if (type == null) {
                        return ObjectInputFilter.Status.UNDECIDED;
                    }
                    return serializer.allows(type)
                            ? ObjectInputFilter.Status.ALLOWED
                            : ObjectInputFilter.Status.REJECTED;
                });
                return in.readObject();
            } catch (InvalidClassException e) {
                throw new IOException("key class not readable here: " + e.getMessage(), e);
            }
        }
    }
}
