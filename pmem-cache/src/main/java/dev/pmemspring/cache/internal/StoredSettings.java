package dev.pmemspring.cache.internal;

import dev.pmemspring.cache.PmemCacheSettings;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The persistent form of {@link PmemCacheSettings}: what the pool records of a cache's settings (an
 * expiry function cannot be stored; its presence is), in a versioned binary form, so that a restart
 * can say what changed. Not a second description of the settings: their defaults and rules live in
 * {@code PmemCacheSettings} only.
 */
public record StoredSettings(
        long timeToLiveMillis,
        boolean customExpiry,
        long maximumEntries,
        long maximumBytes,
        long maximumValueBytes,
        boolean nullValues,
        int heapTier,
        long heapTierBytes,
        long timeToIdleMillis,
        String serializer) {

    /**
     * Version 2 added the heap tier's byte bound, version 3 the time-to-idle; older records read
     * with none.
     */
    private static final byte VERSION = 3;

    public static StoredSettings of(PmemCacheSettings s) {
        return new StoredSettings(
                s.timeToLive().toMillis(),
                s.expiry() != null,
                s.maximumEntries(),
                s.maximumBytes(),
                s.maximumValueBytes(),
                s.nullValues(),
                s.heapTier(),
                s.heapTierBytes(),
                s.timeToIdle().toMillis(),
                s.serializer().id());
    }

    public byte[] encode() {
        byte[] id = serializer.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + 1 + 8 + 8 + 8 + 1 + 4 + 8 + 8 + 2 + id.length)
                .put(VERSION)
                .putLong(timeToLiveMillis)
                .put((byte) (customExpiry ? 1 : 0))
                .putLong(maximumEntries)
                .putLong(maximumBytes)
                .putLong(maximumValueBytes)
                .put((byte) (nullValues ? 1 : 0))
                .putInt(heapTier)
                .putLong(heapTierBytes)
                .putLong(timeToIdleMillis)
                .putShort((short) id.length)
                .put(id)
                .array();
    }

    /** The settings in {@code bytes}, or null if they are of an unknown version or damaged. */
    public static StoredSettings decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte version = b.get();
            if (version < 1 || version > VERSION) {
                return null;
            }
            long ttl = b.getLong();
            boolean custom = b.get() != 0;
            long entries = b.getLong();
            long maxBytes = b.getLong();
            long valueBytes = b.getLong();
            boolean nulls = b.get() != 0;
            int heap = b.getInt();
            long heapBytes = version >= 2 ? b.getLong() : 0;
            long idle = version >= 3 ? b.getLong() : 0;
            byte[] id = new byte[b.getShort()];
            b.get(id);
            return new StoredSettings(
                    ttl,
                    custom,
                    entries,
                    maxBytes,
                    valueBytes,
                    nulls,
                    heap,
                    heapBytes,
                    idle,
                    new String(id, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** What differs from {@code before}, for the log: "maximumEntries 1000 -> 500, ...". */
    public String changesFrom(StoredSettings before) {
        List<String> changes = new ArrayList<>();
        diff(changes, "timeToLive", before.timeToLiveMillis + " ms", timeToLiveMillis + " ms");
        diff(changes, "timeToIdle", before.timeToIdleMillis + " ms", timeToIdleMillis + " ms");
        diff(changes, "expiry function", before.customExpiry ? "set" : "none", customExpiry ? "set" : "none");
        diff(changes, "maximumEntries", before.maximumEntries, maximumEntries);
        diff(changes, "maximumBytes", before.maximumBytes, maximumBytes);
        diff(changes, "maximumValueBytes", before.maximumValueBytes, maximumValueBytes);
        diff(changes, "nullValues", before.nullValues, nullValues);
        diff(changes, "heapTier", before.heapTier, heapTier);
        diff(changes, "heapTierBytes", before.heapTierBytes, heapTierBytes);
        diff(changes, "serializer", before.serializer, serializer);
        return String.join(", ", changes);
    }

    private static void diff(List<String> changes, String name, Object before, Object after) {
        if (!before.equals(after)) {
            changes.add(name + " " + before + " -> " + after);
        }
    }
}
