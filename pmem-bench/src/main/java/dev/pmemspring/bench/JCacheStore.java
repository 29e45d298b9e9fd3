package dev.pmemspring.bench;

import dev.pmemspring.jcache.PmemCachingProvider;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.EntryUnit;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.core.config.DefaultConfiguration;
import org.ehcache.impl.config.persistence.DefaultPersistenceConfiguration;
import org.ehcache.jsr107.EhcacheCachingProvider;

/**
 * The JCache providers of {@link JCacheBenchmark}, each a {@code javax.cache.Cache<String, Product>}
 * opened through its own {@code CachingProvider} (the benchmark's class path holds three):
 * <ul>
 *   <li>{@code pmem-jcache}: ours, a pool in {@link BenchPools#DIR} in {@code process} durability,
 *       Fory allowing {@link Product}, store-by-value (the JCache default, and all it offers);</li>
 *   <li>{@code ehcache-disk}: Ehcache 3's provider with a persistent disk tier behind a heap tier of
 *       one entry (the smallest it takes), as in {@link CacheStore}: the persistent peer;</li>
 *   <li>{@code caffeine-jcache}: Caffeine's JCache module, in heap, store-by-value as configured
 *       (the JCache default: it copies values through Java serialization on the way in and out).</li>
 * </ul>
 */
final class JCacheStore implements AutoCloseable {

    static final String PMEM = "pmem-jcache";
    static final String EHCACHE_DISK = "ehcache-disk";
    static final String CAFFEINE = "caffeine-jcache";
    private static final String CACHE = "products";

    private final CacheManager manager;
    private final Cache<String, Product> cache;
    /** Removes what the store left on disk, once its manager is closed. */
    private final Runnable cleanUp;

    private JCacheStore(CacheManager manager, Cache<String, Product> cache, Runnable cleanUp) {
        this.manager = manager;
        this.cache = cache;
        this.cleanUp = cleanUp;
    }

    static JCacheStore open(String store) {
        return switch (store) {
            case PMEM -> pmem();
            case EHCACHE_DISK -> ehcacheDisk();
            case CAFFEINE -> caffeine();
            default -> throw new IllegalArgumentException("unknown JCache store " + store);
        };
    }

    Cache<String, Product> cache() {
        return cache;
    }

    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            cleanUp.run();
        }
    }

    /** Ours: the pool file is the manager's URI. */
    private static JCacheStore pmem() {
        Path pool = BenchPools.newPath("jcache");
        Properties p = new Properties();
        p.setProperty("pmem.jcache.pool-size", "512MB");
        p.setProperty("pmem.jcache.allowed-classes", Product.class.getName());
        CacheManager manager = Caching.getCachingProvider(PmemCachingProvider.class.getName())
                .getCacheManager(pool.toUri(), JCacheStore.class.getClassLoader(), p);
        return new JCacheStore(manager, manager.createCache(CACHE, byValue()), () -> BenchPools.delete(pool));
    }

    private static JCacheStore ehcacheDisk() {
        Path dir = MapStore.newDirectory("ehcache-jcache");
        EhcacheCachingProvider provider = CacheStore.ehcacheProvider();
        DefaultConfiguration configuration = new DefaultConfiguration(
                provider.getDefaultClassLoader(), new DefaultPersistenceConfiguration(dir.toFile()));
        CacheManager manager = provider.getCacheManager(dir.toUri(), configuration);
        Cache<String, Serializable> c = manager.createCache(
                CACHE,
                CacheStore.ehcacheConfiguration(ResourcePoolsBuilder.newResourcePoolsBuilder()
                        .heap(1, EntryUnit.ENTRIES)
                        .disk(CacheStore.EHCACHE_DISK_MB, MemoryUnit.MB, true)));
        return new JCacheStore(manager, cast(c), () -> MapStore.deleteTree(dir));
    }

    @SuppressWarnings("unchecked")
    private static Cache<String, Product> cast(Cache<String, ?> c) {
        return (Cache<String, Product>) c;
    }

    private static JCacheStore caffeine() {
        // a URI of its own, so a second trial in the same JVM gets a new manager
        CacheManager manager = Caching.getCachingProvider(
                        "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider")
                .getCacheManager(URI.create("bench:" + System.nanoTime()), JCacheStore.class.getClassLoader());
        return new JCacheStore(manager, manager.createCache(CACHE, byValue()), () -> {});
    }

    private static MutableConfiguration<String, Product> byValue() {
        return new MutableConfiguration<String, Product>().setTypes(String.class, Product.class);
    }
}
