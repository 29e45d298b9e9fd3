package dev.pmemspring.core;

import org.jspecify.annotations.Nullable;

import dev.pmemspring.core.internal.map.MapDamageException;
import dev.pmemspring.core.internal.map.PersistentHashMap;
import dev.pmemspring.core.internal.map.ValueSink;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A named, persistent, concurrent map of byte keys to byte values, held in a pool (the counterpart
 * of pmemkv's concurrent hash map). Get one with {@link PmemPool#map(String)}.
 *
 * <pre>{@code
 * PmemMap quotes = pool.map("quotes");
 * quotes.put(key, value, System.currentTimeMillis() + 60_000);   // expires in a minute
 * byte[] hit = quotes.get(key);                                   // null on a miss
 * }</pre>
 *
 * <ul>
 *   <li>Every write is all-or-nothing across crashes: afterwards a key holds its old value, its new
 *       value, or nothing; no block leaks.</li>
 *   <li>Reads never block on writes to other keys, and are not blocked for long by writes to keys
 *       that share their stripe (1/256 of the keys).</li>
 *   <li>Each entry carries a CRC32C checked on every read: a damaged entry is a miss, is removed,
 *       and is counted in {@link MapStats#checksumFailures()}.</li>
 *   <li>An entry may carry an absolute expiry time (wall clock, so it keeps counting across
 *       restarts); once passed, the entry reads as absent and is removed.</li>
 *   <li>The index lives in the pool: opening a map reads a few words whatever its size, and the
 *       JVM heap it uses does not grow with its entries.</li>
 * </ul>
 *
 * Keys and values are copied in and out; callers may reuse their arrays.
 */
public final class PmemMap implements Iterable<PmemMap.Entry> {

    /** An entry as iteration sees it. */
    public record Entry(byte[] key, byte[] value, long expiresAt) {}

    /**
     * Where {@link #get(byte[], ReadBuffer)} copies an entry: an array reused from read to read and
     * grown when an entry does not fit, so a read allocates nothing. The read copies the entry's
     * stored bytes (its header after the checksum, the key, the value) in one piece and verifies
     * them; the value is the {@link #length()} bytes at {@link #offset()} of {@link #array()}. One
     * thread at a time.
     *
     * <pre>{@code
     * PmemMap.ReadBuffer buffer = new PmemMap.ReadBuffer();
     * if (quotes.get(key, buffer)) {
     *     Quote q = Quote.parse(buffer.array(), buffer.offset(), buffer.length());  // valid until the next read
     * }
     * }</pre>
     */
    public static final class ReadBuffer {
        private byte[] bytes = new byte[256];
        private int offset;
        private int length;
        private long expiresAt;
        private final ValueSink sink = new ValueSink() {
            @Override
            public byte[] array(int needed) {
                if (bytes.length < needed) {
                    bytes = new byte[Math.max(needed, bytes.length * 2)];
                }
                return bytes;
            }

            @Override
            public void found(int at, int valueLength, long entryExpiresAt) {
                offset = at;
                length = valueLength;
                expiresAt = entryExpiresAt;
            }
        };

        /** The array holding the last entry read: its value is {@link #length()} bytes from {@link #offset()}. */
        public byte[] array() {
            return bytes;
        }

        /** Where the last value read starts in {@link #array()}. */
        public int offset() {
            return offset;
        }

        /** The length of the last value read. */
        public int length() {
            return length;
        }

        /** The expiry of the last entry read (epoch millis, 0 never). */
        public long expiresAt() {
            return expiresAt;
        }
    }

    private final PmemPool pool;
    private final String name;
    private final PersistentHashMap map;
    private final long salvageDropped;
    private volatile boolean dropped;

    PmemMap(PmemPool pool, String name, PersistentHashMap map, long salvageDropped) {
        this.pool = pool;
        this.name = name;
        this.map = map;
        this.salvageDropped = salvageDropped;
    }

    public String name() {
        return name;
    }

    /** The value of {@code key}, or null if absent or expired. */
    public byte @Nullable [] get(byte[] key) {
        check(key);
        return map.get(key);
    }

    /**
     * Copies the entry of {@code key} into {@code into} and returns true (its value is then at
     * {@link ReadBuffer#offset()}), or returns false if it is absent or expired. What
     * {@link #get(byte[])} does without allocating the value's array: for a hot read path that parses
     * the value at once. The bytes are verified before this returns.
     */
    public boolean get(byte[] key, ReadBuffer into) {
        check(key);
        return map.get(key, into.sink);
    }

    public boolean containsKey(byte[] key) {
        check(key);
        return map.containsKey(key);
    }

    /** Stores {@code value} for {@code key}, with no expiry. */
    public void put(byte[] key, byte[] value) {
        put(key, value, 0);
    }

    /**
     * Stores {@code value} for {@code key}, expiring at {@code expiresAt} (epoch milliseconds; 0
     * never).
     *
     * @throws PoolOutOfMemoryException if the pool has no room (evict, then retry)
     * @throws IllegalArgumentException if key and value together are larger than one entry holds
     *     (2 GiB less a few bytes)
     */
    public void put(byte[] key, byte[] value, long expiresAt) {
        write(key, value, expiresAt, PersistentHashMap.Mode.PUT);
    }

    /** Stores {@code value} only if {@code key} is absent; returns the present value, or null if stored. */
    public byte @Nullable [] putIfAbsent(byte[] key, byte[] value, long expiresAt) {
        return write(key, value, expiresAt, PersistentHashMap.Mode.PUT_IF_ABSENT);
    }

    public byte @Nullable [] putIfAbsent(byte[] key, byte[] value) {
        return putIfAbsent(key, value, 0);
    }

    /** Replaces the value of {@code key} only if present; returns whether it did. */
    public boolean replace(byte[] key, byte[] value) {
        return write(key, value, 0, PersistentHashMap.Mode.REPLACE) != null;
    }

    private byte[] write(byte[] key, byte[] value, long expiresAt, PersistentHashMap.Mode mode) {
        check(key);
        Objects.requireNonNull(value, "value");
        try {
            return map.write(key, value, expiresAt, mode);
        } catch (PersistentHashMap.NoSpace e) {
            throw pool.outOfMemory(24L + key.length + value.length);
        } catch (MapDamageException e) {
            throw new PoolCorruptedException(
                    pool.path(),
                    "map '" + name + "': " + e.getMessage() + "; keys already stored still work, new keys of"
                            + " that stripe cannot be: run the check tool, then clear or drop the map");
        }
    }

    /**
     * Moves the expiry of {@code key}'s live entry to {@code expiresAt} (epoch milliseconds; 0
     * never), keeping its value; returns false if the key has no live entry (or the calling thread
     * is in a transaction, whose rollback must not undo it, or the pool has stopped taking changes:
     * a read's bookkeeping, which a stopped pool skips). All-or-nothing across crashes, as a
     * put is. For expiry after the last read: move it forward as the entry is read.
     */
    public boolean setExpiry(byte[] key, long expiresAt) {
        check(key);
        return map.setExpiry(key, expiresAt);
    }

    /** Removes {@code key}; returns whether a live entry was removed. */
    public boolean remove(byte[] key) {
        check(key);
        return map.remove(key, null);
    }

    /** Removes {@code key} only if it holds {@code value}. */
    public boolean remove(byte[] key, byte[] value) {
        check(key);
        return map.remove(key, Objects.requireNonNull(value, "value"));
    }

    /** Live entries, expired ones not yet removed included. */
    public long size() {
        checkUsable();
        return map.size();
    }

    /** Removes every entry, one stripe at a time (a reader waits for one stripe at most). */
    public void clear() {
        checkUsable();
        map.clear();
    }

    /**
     * Removes entries until at most {@code maxEntries} remain in at most {@code maxBytes}: expired
     * entries, then those not read since the clock hand last passed (CLOCK, a second chance for
     * entries read meanwhile).
     *
     * @return the number of entries removed
     */
    public long evict(long maxEntries, long maxBytes) {
        checkUsable();
        return map.evict(maxEntries, maxBytes);
    }

    public MapStats stats() {
        checkUsable();
        return new MapStats(
                map.size(), map.bytes(), map.checksumFailures(), map.expiredRemoved(), map.evicted(), salvageDropped);
    }

    /**
     * The live entries, stripe by stripe: weakly consistent (each stripe is read at one moment;
     * changes elsewhere may or may not show) and never throws on concurrent change.
     */
    @Override
    public Iterator<Entry> iterator() {
        checkUsable();
        return new Iterator<>() {
            private int stripe;
            private Iterator<PersistentHashMap.Entry> current =
                    List.<PersistentHashMap.Entry>of().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && stripe < PersistentHashMap.stripes()) {
                    current = map.stripeEntries(stripe++).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                PersistentHashMap.Entry e = current.next();
                return new Entry(e.key(), e.value(), e.expiresAt());
            }
        };
    }

    PersistentHashMap internal() {
        return map;
    }

    void markDropped() {
        dropped = true;
    }

    private void check(byte[] key) {
        Objects.requireNonNull(key, "key");
        checkUsable();
    }

    private void checkUsable() {
        if (dropped) {
            throw new IllegalStateException("map '" + name + "' was dropped");
        }
        if (pool.isClosed()) {
            throw new IllegalStateException("pool " + pool.path() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "PmemMap[" + name + "]";
    }
}
