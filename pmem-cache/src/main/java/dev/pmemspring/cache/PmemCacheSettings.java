package dev.pmemspring.cache;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;

/**
 * A cache's settings: immutable; each {@code with} method returns a changed copy.
 *
 * <pre>{@code
 * PmemCacheSettings quotes = PmemCacheSettings.defaults()
 *         .withTimeToLive(Duration.ofMinutes(10))
 *         .withMaximumEntries(100_000)
 *         .withHeapTier(10_000);
 * }</pre>
 *
 * The pool records each cache's settings. Changed settings apply when the cache is next opened
 * (on restart): a smaller bound evicts at once, a new time-to-live applies to new writes, and a
 * serializer of another format empties the cache, whose entries it could not read.
 */
public final class PmemCacheSettings {

    /** The default limit on one serialized value: 1 MiB. */
    public static final long DEFAULT_MAXIMUM_VALUE_BYTES = 1L << 20;

    private static final PmemCacheSettings DEFAULTS = new PmemCacheSettings(
            Duration.ZERO,
            Duration.ZERO,
            null,
            0,
            0,
            DEFAULT_MAXIMUM_VALUE_BYTES,
            true,
            0,
            0,
            ForyValueSerializer.standard());

    private final Duration timeToLive;
    private final Duration timeToIdle;
    private final @Nullable CacheExpiry expiry;
    private final long maximumEntries;
    private final long maximumBytes;
    private final long maximumValueBytes;
    private final boolean nullValues;
    private final int heapTier;
    private final long heapTierBytes;
    private final ValueSerializer serializer;

    private PmemCacheSettings(
            Duration timeToLive,
            Duration timeToIdle,
            @Nullable CacheExpiry expiry,
            long maximumEntries,
            long maximumBytes,
            long maximumValueBytes,
            boolean nullValues,
            int heapTier,
            long heapTierBytes,
            ValueSerializer serializer) {
        this.timeToLive = timeToLive;
        this.timeToIdle = timeToIdle;
        this.expiry = expiry;
        this.maximumEntries = maximumEntries;
        this.maximumBytes = maximumBytes;
        this.maximumValueBytes = maximumValueBytes;
        this.nullValues = nullValues;
        this.heapTier = heapTier;
        this.heapTierBytes = heapTierBytes;
        this.serializer = serializer;
    }

    /**
     * No expiry, no bound, values up to 1 MiB, nulls cached, no heap tier, Fory for the standard
     * classes ({@link ForyValueSerializer#standard()}; add the application's classes with
     * {@link #withSerializer}).
     */
    public static PmemCacheSettings defaults() {
        return DEFAULTS;
    }

    /** Entries expire this long after they are written; {@link Duration#ZERO} never. */
    public PmemCacheSettings withTimeToLive(Duration timeToLive) {
        Objects.requireNonNull(timeToLive, "timeToLive");
        if (timeToLive.isNegative()) {
            throw new IllegalArgumentException("time-to-live must not be negative: " + timeToLive);
        }
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                serializer);
    }

    /**
     * Entries expire this long after they were last read or written (and at their time-to-live
     * in any case); {@link Duration#ZERO} never. Like the time-to-live, counted by the wall clock and
     * kept across restarts: a read moves the stored deadline forward once half the idle time has
     * passed, so a hot entry costs about two pool writes per idle time, not one per read.
     */
    public PmemCacheSettings withTimeToIdle(Duration timeToIdle) {
        Objects.requireNonNull(timeToIdle, "timeToIdle");
        if (timeToIdle.isNegative()) {
            throw new IllegalArgumentException("time-to-idle must not be negative: " + timeToIdle);
        }
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                serializer);
    }

    /** Each entry's lifetime decided from its key and value; replaces the time-to-live. Null removes it. */
    public PmemCacheSettings withExpiry(@Nullable CacheExpiry expiry) {
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                serializer);
    }

    /** At most this many entries (least recently read evicted first, CLOCK); 0 for no bound. */
    public PmemCacheSettings withMaximumEntries(long maximumEntries) {
        requireNotNegative("maximum entries", maximumEntries);
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                serializer);
    }

    /** At most this many bytes of entries in the pool (keys, values, 24-byte headers); 0 for no bound. */
    public PmemCacheSettings withMaximumBytes(long maximumBytes) {
        requireNotNegative("maximum bytes", maximumBytes);
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                serializer);
    }

    /** A serialized value larger than this is not cached (counted, logged once). */
    public PmemCacheSettings withMaximumValueBytes(long maximumValueBytes) {
        if (maximumValueBytes <= 0) {
            throw new IllegalArgumentException("maximum value bytes must be positive: " + maximumValueBytes);
        }
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                serializer);
    }

    /** Whether a null result is cached (as Spring's {@code NullValue}) or refused. */
    public PmemCacheSettings withNullValues(boolean nullValues) {
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                serializer);
    }

    /**
     * Keep up to this many deserialized values in the JVM heap in front of the pool, so hot hits
     * cost no deserialization; 0 for none. Replaces a {@linkplain #withHeapTierBytes byte bound}.
     * The tier admits the values read most often (Caffeine's W-TinyLFU), so one much smaller than
     * the cache still serves most hits of a skewed workload.
     */
    public PmemCacheSettings withHeapTier(int entries) {
        requireNotNegative("heap tier entries", entries);
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                entries,
                0,
                serializer);
    }

    /**
     * Bound the heap tier by size instead of entries: the values it holds take at most this many
     * bytes in their stored form (key and serialized value, the size the pool holds; a proxy for
     * their size in the heap); 0 for none. Replaces an {@linkplain #withHeapTier entry bound}.
     */
    public PmemCacheSettings withHeapTierBytes(long bytes) {
        requireNotNegative("heap tier bytes", bytes);
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                0,
                bytes,
                serializer);
    }

    /** How values become bytes. */
    public PmemCacheSettings withSerializer(ValueSerializer serializer) {
        return new PmemCacheSettings(
                timeToLive,
                timeToIdle,
                expiry,
                maximumEntries,
                maximumBytes,
                maximumValueBytes,
                nullValues,
                heapTier,
                heapTierBytes,
                Objects.requireNonNull(serializer, "serializer"));
    }

    public Duration timeToLive() {
        return timeToLive;
    }

    public Duration timeToIdle() {
        return timeToIdle;
    }

    public @Nullable CacheExpiry expiry() {
        return expiry;
    }

    public long maximumEntries() {
        return maximumEntries;
    }

    public long maximumBytes() {
        return maximumBytes;
    }

    public long maximumValueBytes() {
        return maximumValueBytes;
    }

    public boolean nullValues() {
        return nullValues;
    }

    /** The heap tier's bound in entries; 0 when it has none (no tier, or a byte bound). */
    public int heapTier() {
        return heapTier;
    }

    /** The heap tier's bound in bytes of stored form; 0 when it has none (no tier, or an entry bound). */
    public long heapTierBytes() {
        return heapTierBytes;
    }

    public ValueSerializer serializer() {
        return serializer;
    }

    private static void requireNotNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
    }

    @Override
    public String toString() {
        return "PmemCacheSettings[timeToLive=" + timeToLive
                + (timeToIdle.isZero() ? "" : ", timeToIdle=" + timeToIdle)
                + (expiry != null ? ", expiry=" + expiry : "")
                + ", maximumEntries=" + maximumEntries + ", maximumBytes=" + maximumBytes
                + ", maximumValueBytes=" + maximumValueBytes + ", nullValues=" + nullValues
                + ", heapTier=" + heapTier + (heapTierBytes > 0 ? ", heapTierBytes=" + heapTierBytes : "")
                + ", serializer=" + serializer.id() + "]";
    }
}
