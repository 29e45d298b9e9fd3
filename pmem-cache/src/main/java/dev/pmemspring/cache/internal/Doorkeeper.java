package dev.pmemspring.cache.internal;

/**
 * Lets a key into the heap tier only the second time it asks within a while, as TinyLFU's
 * doorkeeper does: a key read once from the pool is not worth a tier fill (an insertion, an
 * eviction and Caffeine's maintenance, often for a node its admission policy then drops at once),
 * while a key read again soon is. One hash per slot, in a table of about a quarter to half a slot
 * per tier entry (a power of two, at least 256 slots); a key passes if its slot still holds its
 * hash, and leaves it there otherwise. Other keys overwrite slots, so "a while" is the time the
 * table takes to fill with newer keys: short, so that only keys read often pass. With four to
 * eight slots per entry most keys of middling heat passed, and their fills, which Caffeine's
 * admission then mostly undid, cost more than the tier saved (docs/benchmarks.md).
 *
 * <p>Unsynchronized on purpose: a lost store only lets one key in early or late; the tier's
 * consistency never depends on what is filled.
 */
final class Doorkeeper {

    private static final int MIN_SLOTS = 256;
    private static final int MAX_SLOTS = 1 << 22;

    private final int[] seen;

    /** For a tier of about {@code entries} values. */
    Doorkeeper(long entries) {
        long wanted = Math.clamp(entries, 0, 4L * MAX_SLOTS) / 4;
        int slots = (int) Math.clamp(wanted, MIN_SLOTS, MAX_SLOTS);
        this.seen = new int[Integer.highestOneBit(slots * 2 - 1)];
    }

    /** Slots in the table. */
    int slots() {
        return seen.length;
    }

    /** Whether {@code key} asked recently; if not, it is noted for next time. */
    boolean passes(Object key) {
        int h = key.hashCode() * 0x9E3779B9;
        h ^= h >>> 16;
        int i = h & (seen.length - 1);
        int mark = h | 1; // 0 marks an empty slot
        if (seen[i] == mark) {
            return true;
        }
        seen[i] = mark;
        return false;
    }
}
