package dev.pmemspring.cache.redis.internal;

/**
 * A Redis Stream entry id, {@code <milliseconds>-<sequence>}, ordered as Redis orders them.
 * {@link #ZERO} ({@code 0-0}) is before every entry.
 */
public record StreamId(long millis, long sequence) implements Comparable<StreamId> {

    public static final StreamId ZERO = new StreamId(0, 0);

    /** Parses {@code 1700000000000-3}; a bare number is sequence 0, as Redis reads it. */
    public static StreamId parse(String id) {
        int dash = id.indexOf('-');
        try {
            return dash < 0
                    ? new StreamId(Long.parseUnsignedLong(id), 0)
                    : new StreamId(
                            Long.parseUnsignedLong(id.substring(0, dash)),
                            Long.parseUnsignedLong(id.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a stream id: '" + id + "'", e);
        }
    }

    @Override
    public int compareTo(StreamId other) {
        int c = Long.compareUnsigned(millis, other.millis);
        return c != 0 ? c : Long.compareUnsigned(sequence, other.sequence);
    }

    public boolean isAfter(StreamId other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
    }
}
