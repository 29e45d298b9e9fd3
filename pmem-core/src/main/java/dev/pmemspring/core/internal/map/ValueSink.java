package dev.pmemspring.core.internal.map;

/**
 * Where a read of the map copies a value, and what it learns of the entry besides: the array to
 * copy into (asked again if a writer made the reader retry) and the entry's expiry.
 */
public interface ValueSink {

    /** An array of at least {@code length} bytes to copy the value into. */
    byte[] array(int length);

    /** The expiry (epoch millis, 0 never) of the entry whose value was just verified. */
    default void expiresAt(long expiresAt) {}
}
