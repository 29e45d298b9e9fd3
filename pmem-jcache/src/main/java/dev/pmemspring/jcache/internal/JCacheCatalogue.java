package dev.pmemspring.jcache.internal;

import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The JCache caches a pool holds and the configuration each was created with, in the pool map
 * {@value #MAP_NAME} (cache name to {@link StoredConfiguration}); each cache's entries live in a
 * map of their own ({@link StoredCache#mapName}).
 */
final class JCacheCatalogue {

    static final String MAP_NAME = "pmem-jcache";

    private final PmemMap catalogue;

    JCacheCatalogue(PmemPool pool) {
        this.catalogue = pool.map(MAP_NAME);
    }

    List<String> names() {
        List<String> names = new ArrayList<>();
        for (PmemMap.Entry e : catalogue) {
            names.add(new String(e.key(), StandardCharsets.UTF_8));
        }
        return names;
    }

    @Nullable
    StoredConfiguration find(String cache) {
        byte[] bytes = catalogue.get(key(cache));
        return bytes == null ? null : StoredConfiguration.decode(bytes);
    }

    void record(String cache, StoredConfiguration configuration) {
        catalogue.put(key(cache), configuration.encode());
    }

    void remove(String cache) {
        catalogue.remove(key(cache));
    }

    private static byte[] key(String cache) {
        return cache.getBytes(StandardCharsets.UTF_8);
    }
}
