package dev.pmemspring.cache.redis.internal;

import dev.pmemspring.cache.CoherentCaches;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * One change that peers must apply: a key of a cache written or removed, or a whole cache
 * cleared. Equal changes coalesce in the outbox; {@link #recordKey()} is the change's key there
 * (see {@link PoolRecords}).
 */
public final class Change {

    /** What changed. */
    public enum Kind {
        /** A key was written or removed: peers drop it. */
        KEY,
        /** A cache was cleared: peers clear it. */
        CLEAR
    }

    private final Kind kind;
    private final String cache;
    private final byte @Nullable [] key;
    private final byte[] recordKey;
    private final int hash;

    private Change(Kind kind, String cache, byte @Nullable [] key, byte[] recordKey) {
        this.kind = kind;
        this.cache = cache;
        this.key = key;
        this.recordKey = recordKey;
        this.hash = Arrays.hashCode(recordKey);
    }

    public static Change key(String cache, byte[] key) {
        return new Change(Kind.KEY, cache, key, PoolRecords.changeKey(Kind.KEY, cache, key));
    }

    public static Change clear(String cache) {
        return new Change(Kind.CLEAR, cache, null, PoolRecords.changeKey(Kind.CLEAR, cache, null));
    }

    /** The change a record key names (as {@link PoolRecords#parseChange} reads it). */
    static Change of(Kind kind, String cache, byte @Nullable [] key, byte[] recordKey) {
        return new Change(kind, cache, key, recordKey);
    }

    public Kind kind() {
        return kind;
    }

    public String cache() {
        return cache;
    }

    /** The key's stored form; null for a clear. */
    public byte @Nullable [] key() {
        return key;
    }

    /** Applies this change to the caches here: drops the key, or clears the cache. */
    public void applyTo(CoherentCaches caches) {
        if (kind == Kind.CLEAR) {
            caches.clear(cache);
        } else {
            caches.invalidate(cache, key);
        }
    }

    /** This change's key in the pool's outbox. */
    public byte[] recordKey() {
        return recordKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Change c && c.hash == hash && Arrays.equals(c.recordKey, recordKey);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return kind == Kind.CLEAR ? "clear " + cache : "key of " + cache + " (" + key.length + " bytes)";
    }
}
