package dev.pmemspring.jcache.internal;

import dev.pmemspring.cache.ValueSerializer;
import dev.pmemspring.cache.internal.CacheCatalogue;
import dev.pmemspring.cache.internal.KeyDecoder;
import dev.pmemspring.cache.internal.KeyEncoder;
import dev.pmemspring.cache.internal.ReadBuffers;
import dev.pmemspring.cache.internal.ValueEncoding;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * One JCache cache's entries in the pool, through the cache engine's encodings: keys as
 * {@link KeyEncoder} writes them, values as {@link ValueEncoding} does (the entry's deadline in the
 * value's header, so that a read can tell an expired entry from an absent one and report it), in
 * the pool map {@code jcache/<name>}. Holds the per-key locks that make each operation atomic.
 */
final class StoredCache {

    /** A live or expired entry as read: its value and deadline (0: none). */
    record Stored(Object value, long deadline) {
        boolean expiredAt(long now) {
            return deadline != 0 && deadline <= now;
        }
    }

    /** A stored entry with its key bytes, as iteration yields them. */
    record Raw(byte[] key, byte[] value) {}

    /** What {@link #deadline} returns for a key with no entry. */
    static final long ABSENT = Long.MIN_VALUE;

    private static final String MAP_PREFIX = "jcache/";
    private static final int LOCKS = 256;

    private final PmemMap map;
    private final ValueSerializer serializer;
    private final ReentrantLock[] locks = new ReentrantLock[LOCKS];

    StoredCache(PmemPool pool, String name, ValueSerializer serializer) {
        this.map = pool.map(mapName(name));
        this.serializer = serializer;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    static String mapName(String name) {
        return CacheCatalogue.mapName(MAP_PREFIX, name);
    }

    PmemMap map() {
        return map;
    }

    ValueSerializer serializer() {
        return serializer;
    }

    byte[] key(Object key) {
        return KeyEncoder.encode(key);
    }

    @Nullable
    Object decodeKey(byte[] key, ClassLoader loader) {
        return KeyDecoder.decode(key, serializer, loader);
    }

    ReentrantLock lock(byte[] key) {
        int h = Arrays.hashCode(key);
        return locks[(h ^ (h >>> 16)) & (LOCKS - 1)];
    }

    /** The entry of {@code key}, live or expired, or null; a value that no longer decodes is removed. */
    @Nullable
    Stored read(byte[] key, ClassLoader loader) {
        ReadBuffers.Lease lease = ReadBuffers.acquire(); // the copy the map verifies, without an allocation
        try {
            PmemMap.ReadBuffer buffer = lease.buffer();
            if (!map.get(key, buffer)) {
                return null;
            }
            return decode(key, buffer.bytes(), buffer.length(), loader);
        } finally {
            lease.release();
        }
    }

    /**
     * The deadline of {@code key}'s entry (0: none), live or expired, or {@link #ABSENT}: read from
     * the value's header without deserializing it, for writes that need no old value.
     */
    long deadline(byte[] key) {
        ReadBuffers.Lease lease = ReadBuffers.acquire();
        try {
            PmemMap.ReadBuffer buffer = lease.buffer();
            return map.get(key, buffer) ? ValueEncoding.deadline(buffer.bytes(), buffer.length()) : ABSENT;
        } finally {
            lease.release();
        }
    }

    @Nullable
    Stored decode(byte[] key, byte[] bytes, ClassLoader loader) {
        return decode(key, bytes, bytes.length, loader);
    }

    private @Nullable Stored decode(byte[] key, byte[] bytes, int length, ClassLoader loader) {
        try {
            ValueEncoding.Decoded d = ValueEncoding.decode(bytes, length, -1, serializer, loader);
            return new Stored(d.value(), d.expiresAt());
        } catch (Exception | LinkageError e) {
            map.remove(key, Arrays.copyOf(bytes, length)); // its class changed or is not allowed: as if absent
            return null;
        }
    }

    /** Stores {@code value} with {@code deadline} (0: none); returns its stored bytes. */
    byte[] write(byte[] key, Object value, long deadline) {
        byte[] bytes = encode(value, deadline);
        map.put(key, bytes);
        return bytes;
    }

    byte[] encode(Object value, long deadline) {
        return ValueEncoding.encode(value, deadline, serializer);
    }

    /** Rewrites the deadline of an entry read as {@code stored}; the caller holds the key's lock. */
    void moveDeadline(byte[] key, Stored stored, long deadline) {
        if (deadline != stored.deadline()) {
            map.put(key, encode(stored.value(), deadline)); // one atomic put: the old entry or the new
        }
    }

    boolean remove(byte[] key) {
        return map.remove(key);
    }

    boolean remove(byte[] key, byte[] bytes) {
        return map.remove(key, bytes);
    }

    void clear() {
        map.clear();
    }

    List<Raw> snapshot() {
        List<Raw> all = new ArrayList<>();
        for (PmemMap.Entry e : map) {
            all.add(new Raw(e.key(), e.value()));
        }
        return all;
    }
}
