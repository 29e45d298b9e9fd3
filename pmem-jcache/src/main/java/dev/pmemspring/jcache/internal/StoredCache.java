package dev.pmemspring.jcache.internal;

import dev.pmemspring.cache.ValueSerializer;
import dev.pmemspring.cache.internal.CacheCatalogue;
import dev.pmemspring.cache.internal.KeyDecoder;
import dev.pmemspring.cache.internal.KeyEncoder;
import dev.pmemspring.cache.internal.ReadBuffers;
import dev.pmemspring.cache.internal.ValueEncoding;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOutOfMemoryException;
import dev.pmemspring.core.PoolStoppedException;

import javax.cache.CacheException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * One JCache cache's entries in the pool, through the cache engine's encodings: keys as
 * {@link KeyEncoder} writes them, values as {@link ValueEncoding} does (the entry's deadline in the
 * value's header, so that a read can tell an expired entry from an absent one and report it), in
 * the pool map {@code jcache/<name>}. Holds the per-key locks that make each operation atomic.
 *
 * <p>Store-by-reference: the values themselves are kept too, in a map on the heap beside the pool,
 * and a read returns the very object that was put, as long as this process lives; the pool keeps
 * the serialized copy taken at the put, which is what a read returns after a restart (and then
 * keeps as the reference). A key or value the serializer cannot write is kept on the heap only,
 * and does not outlive the process: references ask for no serialization, so they are not refused.
 * Every change of an entry goes through here, under its key's lock, so the heap and the pool agree.
 */
final class StoredCache {

    /** A live or expired entry as read: its value and deadline (0: none). */
    record Stored(Object value, long deadline) {
        boolean expiredAt(long now) {
            return deadline != 0 && deadline <= now;
        }
    }

    /** A stored key with its value's bytes, as iteration yields them (null: held on the heap only). */
    record Raw(byte[] key, byte @Nullable [] value) {}

    /** What {@link #deadline} returns for a key with no entry. */
    static final long ABSENT = Long.MIN_VALUE;

    private static final String MAP_PREFIX = CacheCatalogue.JCACHE_PREFIX;
    private static final int LOCKS = 256;
    /** First byte of the stand-in of a key the pool cannot hold; {@link KeyEncoder} never writes it. */
    private static final byte HEAP_ONLY = (byte) 0xFF;

    private final PmemPool pool;
    private final PmemMap map;
    private final ValueSerializer serializer;
    private final ReentrantLock[] locks = new ReentrantLock[LOCKS];
    /** By reference: the values put, by stored key; null when the cache stores by value. */
    private final @Nullable Map<ByteBuffer, Stored> references;
    /** By reference: stand-ins of the keys the pool cannot hold, both ways (kept until a clear). */
    private final Map<Object, byte[]> heapOnlyKeys = new ConcurrentHashMap<>();

    private final Map<ByteBuffer, Object> heapOnlyKeyObjects = new ConcurrentHashMap<>();
    private final AtomicLong nextHeapOnly = new AtomicLong();

    StoredCache(PmemPool pool, String name, ValueSerializer serializer, boolean byReference) {
        this.pool = pool;
        this.map = pool.map(mapName(name));
        this.serializer = serializer;
        this.references = byReference ? new ConcurrentHashMap<>() : null;
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

    /** Whether the pool has stopped taking changes (see {@link PmemPool#isStopped()}). */
    boolean stopped() {
        return pool.isStopped();
    }

    PmemPool pool() {
        return pool;
    }

    /**
     * What a JCache operation throws once {@code pool} stopped taking changes ({@code what} names the
     * cache or manager): a {@link CacheException}, with the pool's reason as its cause.
     */
    static CacheException stopped(PmemPool pool, String what) {
        return new CacheException(
                what + ": its pool stopped taking changes; restart the application (reopening the pool recovers it)",
                new PoolStoppedException(
                        pool.path(),
                        "the pool takes no more changes since "
                                + pool.stopReason().orElse("it stopped"),
                        null));
    }

    /** The stored form of {@code key}; by reference, a stand-in for one the pool cannot hold. */
    byte[] key(Object key) {
        if (references == null) {
            return KeyEncoder.encode(key);
        }
        try {
            return KeyEncoder.encode(key);
        } catch (IllegalArgumentException notStorable) {
            return heapOnlyKeys.computeIfAbsent(key, k -> {
                byte[] standIn = ByteBuffer.allocate(9)
                        .put(HEAP_ONLY)
                        .putLong(nextHeapOnly.incrementAndGet())
                        .array();
                heapOnlyKeyObjects.put(ByteBuffer.wrap(standIn), k);
                return standIn;
            });
        }
    }

    @Nullable
    Object decodeKey(byte[] key, ClassLoader loader) {
        return heapOnly(key)
                ? heapOnlyKeyObjects.get(ByteBuffer.wrap(key))
                : KeyDecoder.decode(key, serializer, loader);
    }

    private static boolean heapOnly(byte[] key) {
        return key.length > 0 && key[0] == HEAP_ONLY;
    }

    ReentrantLock lock(byte[] key) {
        int h = Arrays.hashCode(key);
        return locks[(h ^ (h >>> 16)) & (LOCKS - 1)];
    }

    /** The entry of {@code key}, live or expired, or null; a value that no longer decodes is removed. */
    @Nullable
    Stored read(byte[] key, ClassLoader loader) {
        if (references != null) {
            Stored held = references.get(ByteBuffer.wrap(key));
            if (held != null || heapOnly(key)) {
                return held;
            }
        }
        Stored s;
        ReadBuffers.Lease lease = ReadBuffers.acquire(); // the copy the map verifies, without an allocation
        try {
            PmemMap.ReadBuffer buffer = lease.buffer();
            if (!map.get(key, buffer)) {
                return null;
            }
            s = decode(key, buffer.array(), buffer.offset(), buffer.length(), loader);
        } finally {
            lease.release();
        }
        if (references != null && s != null && lock(key).isHeldByCurrentThread()) {
            // read after a restart: the reference from now on (only under the key's lock, so a
            // write or removal of the key cannot come between the pool read and this)
            references.put(ByteBuffer.wrap(key.clone()), s);
        }
        return s;
    }

    /** What iteration found, as a read would give it (the reference, when by reference). */
    @Nullable
    Stored found(Raw raw, ClassLoader loader) {
        if (references != null) {
            Stored held = references.get(ByteBuffer.wrap(raw.key()));
            if (held != null) {
                return held;
            }
        }
        byte[] bytes = raw.value();
        return bytes == null ? null : decode(raw.key(), bytes, 0, bytes.length, loader);
    }

    /**
     * The deadline of {@code key}'s entry (0: none), live or expired, or {@link #ABSENT}: read from
     * the value's header without deserializing it, for writes that need no old value.
     */
    long deadline(byte[] key) {
        if (references != null) {
            Stored held = references.get(ByteBuffer.wrap(key));
            if (held != null || heapOnly(key)) {
                return held == null ? ABSENT : held.deadline();
            }
        }
        ReadBuffers.Lease lease = ReadBuffers.acquire();
        try {
            PmemMap.ReadBuffer buffer = lease.buffer();
            return map.get(key, buffer)
                    ? ValueEncoding.deadline(buffer.array(), buffer.offset(), buffer.length())
                    : ABSENT;
        } finally {
            lease.release();
        }
    }

    private @Nullable Stored decode(byte[] key, byte[] bytes, int offset, int length, ClassLoader loader) {
        try {
            ValueEncoding.Decoded d = ValueEncoding.decode(bytes, offset, length, -1, serializer, loader);
            return new Stored(d.value(), d.expiresAt());
        } catch (Exception | LinkageError e) {
            map.remove(
                    key,
                    Arrays.copyOfRange(
                            bytes, offset, offset + length)); // its class changed or is not allowed: as if absent
            return null;
        }
    }

    /**
     * Refuses, before anything else happens to it (a writer called, an old entry read), a value the
     * serializer would not read back; stored by reference, such a value lives on the heap instead.
     */
    void requireStorable(Object value) {
        if (references == null && ValueEncoding.refuses(value, serializer)) {
            throw refused(value);
        }
    }

    private IllegalArgumentException refused(Object value) {
        String pkg = value.getClass().getPackageName();
        return new IllegalArgumentException("cannot cache a " + value.getClass().getName() + ": the "
                + serializer.id() + " serializer would refuse to read it back; add its package to "
                + JCacheSettings.ALLOWED_CLASSES + " (for example "
                + (pkg.isEmpty() ? value.getClass().getName() : pkg + ".**") + ")");
    }

    /** Stores {@code value} with {@code deadline} (0: none); the caller holds the key's lock. */
    void write(byte[] key, Object value, long deadline) {
        if (references == null) {
            byte[] bytes;
            try {
                bytes = ValueEncoding.encode(value, deadline, serializer); // checks the class once
            } catch (IllegalArgumentException e) {
                throw ValueEncoding.refuses(value, serializer) ? refused(value) : e; // named for JCache
            }
            put(key, bytes);
            return;
        }
        if (!heapOnly(key)) {
            byte[] bytes;
            try {
                bytes = ValueEncoding.encode(value, deadline, serializer);
            } catch (RuntimeException notSerializable) {
                bytes = null; // a reference needs no copy: this one lives on the heap only
            }
            if (bytes != null) {
                put(key, bytes);
            } else {
                map.remove(key); // no copy of an older value may come back after a restart
            }
        }
        references.put(ByteBuffer.wrap(key.clone()), new Stored(value, deadline));
    }

    /**
     * Moves the deadline of an entry read as {@code stored}, rewriting the header of its stored copy
     * (its value's bytes as they are: no serialization); the caller holds the key's lock.
     */
    void moveDeadline(byte[] key, Stored stored, long deadline) {
        if (deadline == stored.deadline()) {
            return;
        }
        if (!heapOnly(key)) {
            byte[] bytes = map.get(key);
            if (bytes != null) {
                put(key, ValueEncoding.withDeadline(bytes, deadline)); // one atomic put: old entry or new
            }
        }
        if (references != null) {
            references.put(ByteBuffer.wrap(key.clone()), new Stored(stored.value(), deadline));
        }
    }

    /** A put into the pool; a full pool first gives up the expired entries, then the put is tried again. */
    private void put(byte[] key, byte[] bytes) {
        try {
            map.put(key, bytes);
        } catch (PoolOutOfMemoryException full) {
            if (sweepExpired() == 0) {
                throw full;
            }
            map.put(key, bytes);
        }
    }

    /**
     * Removes the expired entries of this cache: an expired entry otherwise goes only when its key
     * is met again, and keys that are never met again (query results, created-expiry entries) would
     * fill the pool. Entries whose key's lock another thread holds are left; no events are fired.
     * Returns how many went.
     */
    long sweepExpired() {
        long now = System.currentTimeMillis();
        long removed = 0;
        for (PmemMap.Entry e : map) {
            long deadline;
            try {
                deadline = ValueEncoding.deadline(e.value(), e.value().length);
            } catch (IllegalArgumentException damaged) {
                continue;
            }
            if (deadline == 0 || deadline > now) {
                continue;
            }
            ReentrantLock lock = lock(e.key());
            if (!lock.tryLock()) {
                continue;
            }
            try {
                if (map.remove(e.key(), e.value())) {
                    removed++;
                    if (references != null) {
                        references.remove(ByteBuffer.wrap(e.key()));
                    }
                }
            } finally {
                lock.unlock();
            }
        }
        return removed;
    }

    void remove(byte[] key) {
        if (references != null) {
            references.remove(ByteBuffer.wrap(key));
        }
        if (!heapOnly(key)) {
            map.remove(key);
        }
    }

    void remove(byte[] key, byte[] bytes) {
        if (references != null) {
            references.remove(ByteBuffer.wrap(key));
        }
        map.remove(key, bytes);
    }

    /** Empties the cache, holding every key lock (in order): no write interleaves with the clear. */
    void clear() {
        for (ReentrantLock lock : locks) {
            lock.lock();
        }
        try {
            if (references != null) {
                references.clear();
                heapOnlyKeys.clear();
                heapOnlyKeyObjects.clear();
            }
            map.clear();
        } finally {
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].unlock();
            }
        }
    }

    /** The entries now: the pool's, and by reference those held on the heap only. */
    List<Raw> snapshot() {
        List<Raw> all = new ArrayList<>();
        Set<ByteBuffer> seen = references == null ? Set.of() : new HashSet<>();
        for (PmemMap.Entry e : map) {
            all.add(new Raw(e.key(), e.value()));
            if (references != null) {
                seen.add(ByteBuffer.wrap(e.key()));
            }
        }
        if (references != null) {
            for (ByteBuffer key : references.keySet()) {
                if (!seen.contains(key)) {
                    byte[] k = new byte[key.remaining()];
                    key.duplicate().get(k);
                    all.add(new Raw(k, null));
                }
            }
        }
        return all;
    }
}
