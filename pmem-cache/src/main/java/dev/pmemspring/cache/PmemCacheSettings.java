package dev.pmemspring.cache;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

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

    private static final PmemCacheSettings DEFAULTS = new PmemCacheSettings(new Values());

    /** The settings' values, copied and changed by each {@code with} method. */
    private static final class Values implements Cloneable {
        Duration timeToLive = Duration.ZERO;
        Duration timeToIdle = Duration.ZERO;
        Duration refreshAhead = Duration.ZERO;

        @Nullable
        CacheExpiry expiry;

        long maximumEntries;
        long maximumBytes;
        long maximumValueBytes = DEFAULT_MAXIMUM_VALUE_BYTES;
        boolean nullValues = true;
        int heapTier;
        long heapTierBytes;
        ValueSerializer serializer = ForyValueSerializer.standard();

        @Override
        protected Values clone() {
            try {
                return (Values) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final Values v;

    private PmemCacheSettings(Values v) {
        this.v = v;
    }

    /** A copy with {@code change} applied. */
    private PmemCacheSettings with(Consumer<Values> change) {
        Values copy = v.clone();
        change.accept(copy);
        return new PmemCacheSettings(copy);
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
        return with(c -> c.timeToLive = timeToLive);
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
        return with(c -> c.timeToIdle = timeToIdle);
    }

    /**
     * A hit of {@link PmemCache#get(Object, java.util.concurrent.Callable)} (what
     * {@code @Cacheable(sync = true)} calls) whose entry expires within this window reloads it in
     * the background with the loader it was given, and returns the value it found at once; so a hot
     * entry is replaced before it expires, and its callers never wait for the back end.
     * {@link Duration#ZERO} (the default) never. One reload per key at a time, on a virtual
     * thread of its own; a write of the key while it runs wins over it; a failed reload leaves the entry
     * to expire as usual.
     */
    public PmemCacheSettings withRefreshAhead(Duration refreshAhead) {
        Objects.requireNonNull(refreshAhead, "refreshAhead");
        if (refreshAhead.isNegative()) {
            throw new IllegalArgumentException("refresh-ahead must not be negative: " + refreshAhead);
        }
        return with(c -> c.refreshAhead = refreshAhead);
    }

    /** Each entry's lifetime decided from its key and value; replaces the time-to-live. Null removes it. */
    public PmemCacheSettings withExpiry(@Nullable CacheExpiry expiry) {
        return with(c -> c.expiry = expiry);
    }

    /** At most this many entries (least recently read evicted first, CLOCK); 0 for no bound. */
    public PmemCacheSettings withMaximumEntries(long maximumEntries) {
        requireNotNegative("maximum entries", maximumEntries);
        return with(c -> c.maximumEntries = maximumEntries);
    }

    /** At most this many bytes of entries in the pool (keys, values, 24-byte headers); 0 for no bound. */
    public PmemCacheSettings withMaximumBytes(long maximumBytes) {
        requireNotNegative("maximum bytes", maximumBytes);
        return with(c -> c.maximumBytes = maximumBytes);
    }

    /** A serialized value larger than this is not cached (counted, logged once). */
    public PmemCacheSettings withMaximumValueBytes(long maximumValueBytes) {
        if (maximumValueBytes <= 0) {
            throw new IllegalArgumentException("maximum value bytes must be positive: " + maximumValueBytes);
        }
        return with(c -> c.maximumValueBytes = maximumValueBytes);
    }

    /** Whether a null result is cached (as Spring's {@code NullValue}) or refused. */
    public PmemCacheSettings withNullValues(boolean nullValues) {
        return with(c -> c.nullValues = nullValues);
    }

    /**
     * Keep up to this many deserialized values in the JVM heap in front of the pool, so hot hits
     * cost no deserialization; 0 for none. Replaces a {@linkplain #withHeapTierBytes byte bound}.
     * The tier admits the values read most often (Caffeine's W-TinyLFU), so one much smaller than
     * the cache still serves most hits of a skewed workload.
     */
    public PmemCacheSettings withHeapTier(int entries) {
        requireNotNegative("heap tier entries", entries);
        return with(c -> {
            c.heapTier = entries;
            c.heapTierBytes = 0;
        });
    }

    /**
     * Bound the heap tier by size instead of entries: the values it holds take at most this many
     * bytes in their stored form (key and serialized value, the size the pool holds; a proxy for
     * their size in the heap); 0 for none. Replaces an {@linkplain #withHeapTier entry bound}.
     */
    public PmemCacheSettings withHeapTierBytes(long bytes) {
        requireNotNegative("heap tier bytes", bytes);
        return with(c -> {
            c.heapTier = 0;
            c.heapTierBytes = bytes;
        });
    }

    /** How values become bytes. */
    public PmemCacheSettings withSerializer(ValueSerializer serializer) {
        Objects.requireNonNull(serializer, "serializer");
        return with(c -> c.serializer = serializer);
    }

    public Duration timeToLive() {
        return v.timeToLive;
    }

    public Duration timeToIdle() {
        return v.timeToIdle;
    }

    /** The window before an entry's deadline in which a hit reloads it; {@link Duration#ZERO} none. */
    public Duration refreshAhead() {
        return v.refreshAhead;
    }

    public @Nullable CacheExpiry expiry() {
        return v.expiry;
    }

    public long maximumEntries() {
        return v.maximumEntries;
    }

    public long maximumBytes() {
        return v.maximumBytes;
    }

    public long maximumValueBytes() {
        return v.maximumValueBytes;
    }

    public boolean nullValues() {
        return v.nullValues;
    }

    /** The heap tier's bound in entries; 0 when it has none (no tier, or a byte bound). */
    public int heapTier() {
        return v.heapTier;
    }

    /** The heap tier's bound in bytes of stored form; 0 when it has none (no tier, or an entry bound). */
    public long heapTierBytes() {
        return v.heapTierBytes;
    }

    public ValueSerializer serializer() {
        return v.serializer;
    }

    private static void requireNotNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
    }

    @Override
    public String toString() {
        return "PmemCacheSettings[timeToLive=" + v.timeToLive
                + (v.timeToIdle.isZero() ? "" : ", timeToIdle=" + v.timeToIdle)
                + (v.refreshAhead.isZero() ? "" : ", refreshAhead=" + v.refreshAhead)
                + (v.expiry != null ? ", expiry=" + v.expiry : "")
                + ", maximumEntries=" + v.maximumEntries + ", maximumBytes=" + v.maximumBytes
                + ", maximumValueBytes=" + v.maximumValueBytes + ", nullValues=" + v.nullValues
                + ", heapTier=" + v.heapTier + (v.heapTierBytes > 0 ? ", heapTierBytes=" + v.heapTierBytes : "")
                + ", serializer=" + v.serializer.id() + "]";
    }
}
