package dev.pmemspring.cache;

/**
 * Turns cached values into the bytes the pool keeps, and back. Strings, boxed numbers, booleans,
 * byte arrays and cached nulls never reach a serializer: the cache stores them in a compact form of
 * its own.
 *
 * <p>Implementations must be thread-safe. A value that fails to deserialize (its class changed
 * between releases, or it is not allowed) is never an error for the caller: the cache counts it as
 * a miss, removes it, and logs the first such failure.
 *
 * @see JdkValueSerializer
 * @see JsonValueSerializer
 */
public interface ValueSerializer {

    /**
     * A short, stable name of this format, stored with each cache: when a cache is opened with a
     * serializer of another id, its entries cannot be read and it starts empty.
     */
    String id();

    /**
     * The bytes of {@code value}.
     *
     * @throws IllegalArgumentException if the value cannot be serialized, saying what to change
     */
    byte[] serialize(Object value);

    /**
     * The bytes of {@code value} after {@code headroom} bytes left for the caller: a new array of
     * {@code headroom} plus the serialized length, which the caller owns. The cache calls this
     * one, and writes its own header over the first {@code headroom} bytes; the default copies the
     * result of {@link #serialize(Object)}, a serializer that writes into a buffer of its own can
     * leave the room there and save the copy.
     *
     * @throws IllegalArgumentException if the value cannot be serialized, saying what to change
     */
    default byte[] serialize(Object value, int headroom) {
        byte[] body = serialize(value);
        byte[] out = new byte[headroom + body.length];
        System.arraycopy(body, 0, out, headroom, body.length);
        return out;
    }

    /** The value {@code bytes} hold, classes resolved through {@code classLoader}. */
    Object deserialize(byte[] bytes, ClassLoader classLoader) throws Exception;

    /**
     * The value {@code length} bytes of {@code bytes} from {@code offset} hold. The cache calls this
     * one, with the stored entry past its own header; the default copies the range out.
     */
    default Object deserialize(byte[] bytes, int offset, int length, ClassLoader classLoader) throws Exception {
        return deserialize(java.util.Arrays.copyOfRange(bytes, offset, offset + length), classLoader);
    }

    /**
     * Whether values of {@code type} may be stored: a type the serializer could write but would
     * refuse to read back is refused at the put, with a message, rather than stored to fail later.
     */
    default boolean allows(Class<?> type) {
        return true;
    }
}
