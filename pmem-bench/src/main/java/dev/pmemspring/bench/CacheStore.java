package dev.pmemspring.bench;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pmemspring.cache.ForyValueSerializer;
import dev.pmemspring.cache.JdkValueSerializer;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.cache.ValueSerializer;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.EntryUnit;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.core.config.DefaultConfiguration;
import org.ehcache.impl.config.persistence.DefaultPersistenceConfiguration;
import org.ehcache.jsr107.Eh107Configuration;
import org.ehcache.jsr107.EhcacheCachingProvider;
import org.springframework.cache.Cache;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import javax.cache.Caching;
import java.io.Serializable;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * One Spring cache provider, set up as an application would set it up, behind the one thing the
 * cache benchmark uses: a {@link Cache} named {@value #CACHE_NAME}, reached through its
 * {@code CacheManager}.
 *
 * <p>Each fork uses one store only, so the {@link Cache} calls stay monomorphic. Each store's
 * classes are in a nested class of their own and load only when chosen.
 */
abstract class CacheStore implements AutoCloseable {

    /**
     * The stores, by the name the benchmark's {@code store} parameter uses. Ours is
     * {@code pmem[-fory][-heap[-Npct]]}: {@code -fory} for {@code ForyValueSerializer} instead of the
     * default {@code JdkValueSerializer}, {@code -heap} for a heap tier as large as the entries,
     * {@code -heap-Npct} for one of N % of them (see {@link PmemStore}).
     */
    static final String PMEM = "pmem";

    static final String PMEM_HEAP = "pmem-heap";
    static final String PMEM_FORY = "pmem-fory";

    static final String CAFFEINE = "caffeine";
    static final String CONCURRENT_MAP = "concurrent-map";
    static final String EHCACHE_DISK = "ehcache-disk";
    static final String EHCACHE_OFFHEAP = "ehcache-offheap";
    static final String REDIS = "redis";
    /** Not in the default matrix: Redis with Spring Data Redis 4's default, fire-and-forget puts. */
    static final String REDIS_ASYNC = "redis-async";

    static final String CACHE_NAME = "products";

    /**
     * Where the Redis server listens, as {@code host:port}: the system property
     * {@value #REDIS_PROPERTY} (for runs inside one JVM), else the environment variable
     * {@value #REDIS_ENV} (which JMH's forks inherit).
     */
    static final String REDIS_PROPERTY = "pmem.bench.redis";

    static final String REDIS_ENV = "PMEM_BENCH_REDIS";

    /** Ehcache's disk tier, in MiB: room for far more than the preloaded entries. */
    static final long EHCACHE_DISK_MB = 256;

    /**
     * Ehcache's off-heap tier, in MiB of direct memory: room for the preloaded entries several times
     * over (Ehcache reserves all of it at once).
     */
    static final long EHCACHE_OFFHEAP_MB = 64;

    abstract Cache cache();

    /**
     * Puts {@code values.apply(i)} for every {@code keys[i]} and returns once the store holds them
     * all. Untimed, so a store may batch (Redis pipelines); the others go through {@link Cache#put}.
     */
    void preload(String[] keys, IntFunction<Object> values) {
        Cache cache = cache();
        for (int i = 0; i < keys.length; i++) {
            cache.put(keys[i], values.apply(i));
        }
    }

    /** Closes the cache manager and deletes whatever it stored. */
    @Override
    public abstract void close();

    /** Opens a new, empty store {@code name} with room for {@code capacity} entries. */
    static CacheStore open(String name, long capacity) {
        if (name.equals(PMEM) || name.startsWith(PMEM + "-")) {
            return PmemStore.of(name, capacity);
        }
        return switch (name) {
            case CAFFEINE -> new CaffeineStore(capacity);
            case CONCURRENT_MAP -> new ConcurrentMapStore();
            case EHCACHE_DISK -> new EhcacheDiskStore();
            case EHCACHE_OFFHEAP -> new EhcacheOffheapStore();
            case REDIS -> new RedisStore(redisAddress(), true);
            case REDIS_ASYNC -> new RedisStore(redisAddress(), false);
            default -> throw new IllegalArgumentException("unknown cache store: " + name);
        };
    }

    /** The Redis server's {@code host:port}, or null when none was given. */
    static String redisAddressOrNull() {
        String address = System.getProperty(REDIS_PROPERTY);
        if (address == null || address.isBlank()) {
            address = System.getenv(REDIS_ENV);
        }
        return address == null || address.isBlank() ? null : address.trim();
    }

    /** A started Lettuce connection factory (one shared connection, Spring Data Redis's default) to {@code host:port}. */
    static LettuceConnectionFactory lettuce(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("Redis address is not host:port: " + address);
        }
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(
                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    private static String redisAddress() {
        return redisAddress(
                "store 'redis'", "the cache suite starts one and sets it), or leave 'redis' out of" + " -p store=...");
    }

    /** The Redis server's {@code host:port}; fails naming {@code who} needs it and {@code how} to give one. */
    static String redisAddress(String who, String how) {
        String address = redisAddressOrNull();
        if (address == null) {
            throw new IllegalStateException(
                    who + " needs a running redis-server: set " + REDIS_ENV + "=host:port (" + how);
        }
        return address;
    }

    /**
     * Ours: {@link PmemCacheManager} over a pool in {@link BenchPools#DIR} with
     * {@link Durability#PROCESS} (a put that returned survives {@code kill -9} of the process), one
     * static cache, a serializer allowing {@link Product} (as an application would configure it).
     * {@code heapTier} entries of deserialized values in front of the pool; 0: none, every hit reads
     * and deserializes from the pool.
     */
    static final class PmemStore extends CacheStore {
        private final Path path;
        private final PmemPool pool;
        private final Cache cache;

        /** The store {@code name} describes ({@code pmem[-fory][-heap[-Npct]]}). */
        static PmemStore of(String name, long capacity) {
            String rest = name.substring(PMEM.length());
            ValueSerializer serializer = JdkValueSerializer.allowing(Product.class.getName());
            if (rest.startsWith("-fory")) {
                serializer = ForyValueSerializer.allowing(Product.class.getName());
                rest = rest.substring("-fory".length());
            }
            long heapTier;
            if (rest.isEmpty()) {
                heapTier = 0;
            } else if (rest.equals("-heap")) {
                heapTier = capacity;
            } else if (rest.matches("-heap-\\d+pct")) {
                int percent = Integer.parseInt(rest.substring("-heap-".length(), rest.length() - "pct".length()));
                heapTier = Math.max(1, capacity * percent / 100);
            } else {
                throw new IllegalArgumentException("unknown cache store: " + name);
            }
            return new PmemStore(capacity, Math.toIntExact(heapTier), serializer);
        }

        PmemStore(long capacity, int heapTier, ValueSerializer serializer) {
            path = BenchPools.newPath("cache");
            // Room for every entry twice over (an overwrite writes the new entry before freeing the
            // old one), with keys and values of up to 64 and 512 bytes.
            pool = PmemPool.create(
                    path,
                    PoolOptions.layout("bench-cache")
                            .withSize(MapStore.poolSize(64, 512, 2 * capacity))
                            .withDurability(Durability.PROCESS));
            try {
                PmemCacheManager manager = PmemCacheManager.builder(pool)
                        .cache(
                                CACHE_NAME,
                                PmemCacheSettings.defaults()
                                        .withSerializer(serializer)
                                        .withHeapTier(heapTier))
                        .dynamic(false)
                        .build();
                cache = manager.getCache(CACHE_NAME);
            } catch (RuntimeException | Error e) {
                pool.close();
                BenchPools.delete(path);
                throw e;
            }
        }

        @Override
        Cache cache() {
            return cache;
        }

        @Override
        public void close() {
            try {
                pool.close();
            } finally {
                BenchPools.delete(path);
            }
        }
    }

    /**
     * Caffeine through {@link CaffeineCacheManager}, bounded as a production cache is
     * ({@code maximumSize}, twice the capacity, so nothing is evicted here but the size policy runs).
     * Holds references: a put stores the object, a hit returns it, nothing is copied or serialized.
     */
    static final class CaffeineStore extends CacheStore {
        private final Cache cache;

        CaffeineStore(long capacity) {
            CaffeineCacheManager manager = new CaffeineCacheManager();
            manager.setCaffeine(Caffeine.newBuilder().maximumSize(2 * capacity));
            manager.setCacheNames(List.of(CACHE_NAME));
            cache = manager.getCache(CACHE_NAME);
        }

        @Override
        Cache cache() {
            return cache;
        }

        @Override
        public void close() {
            cache.clear();
        }
    }

    /** Spring's {@link ConcurrentMapCacheManager} (a {@code ConcurrentHashMap}, by reference, unbounded). */
    static final class ConcurrentMapStore extends CacheStore {
        private final Cache cache;

        ConcurrentMapStore() {
            cache = new ConcurrentMapCacheManager(CACHE_NAME).getCache(CACHE_NAME);
        }

        @Override
        Cache cache() {
            return cache;
        }

        @Override
        public void close() {
            cache.clear();
        }
    }

    /** Ehcache's JSR-107 provider (for the Ehcache stores here and in {@link JCacheStore}). */
    static EhcacheCachingProvider ehcacheProvider() {
        return (EhcacheCachingProvider) Caching.getCachingProvider(EhcacheCachingProvider.class.getName());
    }

    /** The benchmark's Ehcache cache: {@code String} keys, {@code Serializable} values, in {@code pools}. */
    static javax.cache.configuration.Configuration<String, Serializable> ehcacheConfiguration(
            ResourcePoolsBuilder pools) {
        return Eh107Configuration.fromEhcacheCacheConfiguration(
                CacheConfigurationBuilder.newCacheConfigurationBuilder(String.class, Serializable.class, pools)
                        .build());
    }

    /** Creates the benchmark's cache in {@code pools} of {@code jcacheManager}, as Spring's {@link Cache}. */
    private static Cache springCache(javax.cache.CacheManager jcacheManager, ResourcePoolsBuilder pools) {
        jcacheManager.createCache(CACHE_NAME, ehcacheConfiguration(pools));
        JCacheCacheManager manager = new JCacheCacheManager(jcacheManager);
        manager.afterPropertiesSet();
        return manager.getCache(CACHE_NAME);
    }

    /**
     * Ehcache 3 through JCache ({@link JCacheCacheManager} over Ehcache's JSR-107 provider), with a
     * persistent disk tier ({@value #EHCACHE_DISK_MB} MiB, {@code persistent = true}, in a fresh
     * directory under {@link BenchPools#DIR}) behind a heap tier of one entry (Ehcache 3.11 also
     * takes a disk tier alone; the one entry stays so that results compare with earlier runs), so
     * almost every hit is read and deserialized from the disk tier. Keys {@code String}, values
     * {@code Serializable}: Ehcache's own {@code StringSerializer} for keys, Java serialization for
     * values.
     */
    static final class EhcacheDiskStore extends CacheStore {
        private final Path dir;
        private final javax.cache.CacheManager jcacheManager;
        private final Cache cache;

        EhcacheDiskStore() {
            dir = MapStore.newDirectory("ehcache");
            javax.cache.CacheManager manager = null;
            try {
                EhcacheCachingProvider provider = ehcacheProvider();
                DefaultConfiguration configuration = new DefaultConfiguration(
                        provider.getDefaultClassLoader(), new DefaultPersistenceConfiguration(dir.toFile()));
                // A URI of its own, so a second trial in the same JVM gets a new manager.
                manager = provider.getCacheManager(dir.toUri(), configuration);
                cache = springCache(
                        manager,
                        ResourcePoolsBuilder.newResourcePoolsBuilder()
                                .heap(1, EntryUnit.ENTRIES)
                                .disk(EHCACHE_DISK_MB, MemoryUnit.MB, true));
            } catch (RuntimeException | Error e) {
                // The manager first: it holds the folder's files open.
                if (manager != null) {
                    try {
                        manager.close();
                    } catch (RuntimeException closing) {
                        e.addSuppressed(closing);
                    }
                }
                MapStore.deleteTree(dir);
                throw e;
            }
            jcacheManager = manager;
        }

        @Override
        Cache cache() {
            return cache;
        }

        @Override
        public void close() {
            try {
                jcacheManager.close();
            } finally {
                MapStore.deleteTree(dir);
            }
        }
    }

    /**
     * Ehcache 3 through JCache, as {@link EhcacheDiskStore}, with its one tier off the Java heap
     * ({@value #EHCACHE_OFFHEAP_MB} MiB of direct memory, lost when the JVM stops): the usual way to
     * keep a large cache's entries out of the heap without persistence, so that, as with ours
     * without a heap tier, every hit deserializes. Java serialization for values, as for the disk tier.
     */
    static final class EhcacheOffheapStore extends CacheStore {
        private final javax.cache.CacheManager jcacheManager;
        private final Cache cache;

        EhcacheOffheapStore() {
            EhcacheCachingProvider provider = ehcacheProvider();
            // A URI of its own, so a second trial in the same JVM gets a new manager.
            jcacheManager = provider.getCacheManager(
                    URI.create("urn:pmem-bench:ehcache-offheap:" + UUID.randomUUID()),
                    new DefaultConfiguration(provider.getDefaultClassLoader()));
            try {
                cache = springCache(
                        jcacheManager,
                        ResourcePoolsBuilder.newResourcePoolsBuilder().offheap(EHCACHE_OFFHEAP_MB, MemoryUnit.MB));
            } catch (RuntimeException | Error e) {
                jcacheManager.close();
                throw e;
            }
        }

        @Override
        Cache cache() {
            return cache;
        }

        @Override
        public void close() {
            jcacheManager.close();
        }
    }

    /**
     * Redis through Spring Data Redis: {@link RedisCacheManager} with the default cache configuration
     * (keys {@code products::<key>} as strings, values JDK-serialized, no expiry) over Lettuce, one
     * connection shared by all threads (Lettuce's and Spring Boot's default). The server is started
     * outside the JVM (the cache suite starts one, see {@code dev.pmemspring.bench.suite.CacheSuite}); its database is emptied before and
     * after each trial.
     *
     * <p>Spring Data Redis 4's default cache writer sends a put without waiting for Redis to answer
     * (a get right after may still miss). {@code immediateWrites} ({@value #REDIS}) waits for the
     * reply, as every other store's put returns once the entry is stored; without it
     * ({@value #REDIS_ASYNC}) a put only queues the command.
     */
    static final class RedisStore extends CacheStore {
        private final LettuceConnectionFactory factory;
        private final RedisCacheConfiguration configuration = RedisCacheConfiguration.defaultCacheConfig();
        private final Cache cache;

        RedisStore(String address, boolean immediateWrites) {
            factory = lettuce(address);
            try {
                flush();
                RedisCacheManager manager = RedisCacheManager.builder(
                                RedisCacheWriter.create(factory, writer -> writer.immediateWrites(immediateWrites)))
                        .cacheDefaults(configuration)
                        .initialCacheNames(Set.of(CACHE_NAME))
                        .build();
                manager.afterPropertiesSet();
                cache = manager.getCache(CACHE_NAME);
            } catch (RuntimeException | Error e) {
                factory.destroy();
                throw e;
            }
        }

        private void flush() {
            try (RedisConnection connection = factory.getConnection()) {
                connection.serverCommands().flushDb();
            }
        }

        @Override
        Cache cache() {
            return cache;
        }

        /**
         * Pipelined {@code SET}s of what {@link Cache#put} would send (the cache configuration's key
         * prefix and serializers), a thousand per round trip: a put at a time, waiting for each
         * reply, would take minutes per trial on a loaded machine.
         */
        @Override
        void preload(String[] keys, IntFunction<Object> values) {
            String prefix = configuration.getKeyPrefixFor(CACHE_NAME);
            int batch = 1_000;
            try (RedisConnection connection = factory.getConnection()) {
                for (int from = 0; from < keys.length; from += batch) {
                    connection.openPipeline();
                    for (int i = from; i < Math.min(keys.length, from + batch); i++) {
                        connection
                                .stringCommands()
                                .set(
                                        bytes(configuration
                                                .getKeySerializationPair()
                                                .write(prefix + keys[i])),
                                        bytes(configuration
                                                .getValueSerializationPair()
                                                .write(values.apply(i))));
                    }
                    connection.closePipeline();
                }
                Long size = connection.serverCommands().dbSize();
                if (size == null || size != keys.length) {
                    throw new IllegalStateException("Redis holds " + size + " entries after " + keys.length + " puts");
                }
            }
        }

        private static byte[] bytes(ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }

        @Override
        public void close() {
            try {
                flush();
            } finally {
                factory.destroy();
            }
        }
    }
}
