package dev.pmemspring.core.internal.map;

/**
 * Where a read of the map copies an entry: the array for the bytes its checksum covers (lengths,
 * id, expiry, key and value, copied in one piece; asked again if a writer made the reader retry),
 * then where in that array the verified value lies, and the entry's expiry.
 */
public interface ValueSink {

    /** An array of at least {@code length} bytes to copy the entry's checked bytes into. */
    byte[] array(int length);

    /**
     * The copy verified: the value is the {@code length} bytes at {@code offset} of the array last
     * given, and the entry expires at {@code expiresAt} (epoch millis, 0 never).
     */
    void found(int offset, int length, long expiresAt);
}
