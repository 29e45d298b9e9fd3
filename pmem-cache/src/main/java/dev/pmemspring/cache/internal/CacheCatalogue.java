package dev.pmemspring.cache.internal;

import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The caches a pool holds and the settings each was last opened with, kept in the pool's map
 * {@value #MAP_NAME} (cache name to {@link StoredSettings}). Each cache's entries live in a map of
 * their own, named by {@link #mapName}.
 */
public final class CacheCatalogue {

    public static final String MAP_NAME = "pmem-cache";
    private static final String PREFIX = "cache/";
    /** The prefix of the maps of pmem-jcache's caches. */
    public static final String JCACHE_PREFIX = "jcache/";

    private static final int MAX_MAP_NAME_BYTES = 47;

    private final PmemMap catalogue;

    /** Whether map {@code name} holds cache data: the catalogue itself or one cache's entries. */
    public static boolean isCacheMap(String name) {
        return name.equals(MAP_NAME) || name.startsWith(PREFIX);
    }

    /** Whether map {@code name} holds a JCache cache's entries (pmem-jcache names them so). */
    public static boolean isJCacheMap(String name) {
        return name.startsWith(JCACHE_PREFIX);
    }

    /**
     * Empties every cache of both kinds (Spring's and JCache's) in {@code pool} if it records a stop
     * nobody acknowledged, then acknowledges it: changes asked for while the pool was stopped were
     * refused, and what a cache holds may be older than the application's data, with nothing to
     * tell which entries. Each manager calls it before it opens a cache, so whichever comes first
     * after the stop does it once; a crash before the acknowledgment does it again at the next
     * start. Returns the entries dropped.
     */
    public static long emptyAfterStop(PmemPool pool, java.util.function.Consumer<String> log) {
        if (pool.isStopped() || !pool.stopMarked()) {
            return 0;
        }
        long dropped = 0;
        for (String name : pool.mapNames()) {
            if ((isCacheMap(name) && !name.equals(MAP_NAME)) || isJCacheMap(name)) {
                PmemMap map = pool.map(name);
                dropped += map.size();
                map.clear();
            }
        }
        log.accept("pool " + pool.path() + " had stopped taking changes when it was last open, so its caches"
                + " may hold values older than the data they cache: they start empty (" + dropped
                + " entries dropped)");
        pool.acknowledgeStop(); // after the caches are empty: a crash before this empties them again
        return dropped;
    }

    public CacheCatalogue(PmemPool pool) {
        this.catalogue = pool.map(MAP_NAME);
    }

    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (PmemMap.Entry e : catalogue) {
            names.add(new String(e.key(), StandardCharsets.UTF_8));
        }
        return names;
    }

    /** The settings {@code cache} was last opened with, or null if none are recorded (or readable). */
    public StoredSettings find(String cache) {
        byte[] bytes = catalogue.get(key(cache));
        return bytes == null ? null : StoredSettings.decode(bytes);
    }

    public void record(String cache, StoredSettings settings) {
        catalogue.put(key(cache), settings.encode());
    }

    public void remove(String cache) {
        catalogue.remove(key(cache));
    }

    /**
     * The pool map holding {@code cache}'s entries: {@code cache/<name>}, or, for names too long
     * for a map name, a prefix of it and a checksum of the whole.
     */
    public static String mapName(String cache) {
        return mapName(PREFIX, cache);
    }

    /** As {@link #mapName(String)}, for maps of another kind of cache named with {@code prefix}. */
    public static String mapName(String prefix, String cache) {
        String name = prefix + cache;
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_MAP_NAME_BYTES) {
            return name;
        }
        CRC32C crc = new CRC32C();
        byte[] bytes = cache.getBytes(StandardCharsets.UTF_8);
        crc.update(bytes);
        String tail = String.format("~%08x%04x", crc.getValue(), bytes.length & 0xFFFF);
        StringBuilder head = new StringBuilder(prefix);
        for (int i = 0; i < cache.length(); ) {
            int cp = cache.codePointAt(i);
            String next = head.toString() + Character.toString(cp);
            if ((next + tail).getBytes(StandardCharsets.UTF_8).length > MAX_MAP_NAME_BYTES) {
                break;
            }
            head.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        return head + tail;
    }

    private static byte[] key(String cache) {
        return cache.getBytes(StandardCharsets.UTF_8);
    }
}
