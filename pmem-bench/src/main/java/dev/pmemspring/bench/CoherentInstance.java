package dev.pmemspring.bench;

import dev.pmemspring.cache.JdkValueSerializer;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.cache.redis.RedisCacheCoherence;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.Cache;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One instance of a service for the coherence benchmarks: a pool of its own ({@code PROCESS}
 * durability, in {@link BenchPools#DIR}), a {@link PmemCacheManager} with the one cache
 * {@value CacheStore#CACHE_NAME} of {@link Product} values, and, when given a stream, a
 * {@link RedisCacheCoherence} on a Lettuce connection of its own, as a separate process would
 * have. {@link #stop()} and {@link #start()} restart it on the same pool file.
 */
final class CoherentInstance implements AutoCloseable {

    private final Path path;
    private final long capacity;
    private final @Nullable String redisAddress;
    private final @Nullable String stream;
    private final int heapTier;
    private @Nullable PmemPool pool;
    private @Nullable LettuceConnectionFactory redis;
    private @Nullable RedisCacheCoherence coherence;
    private @Nullable Cache cache;

    /**
     * @param redisAddress {@code host:port}, or null for no coherence
     * @param stream       the stream every instance of the group follows (ignored without Redis)
     */
    CoherentInstance(long capacity, int heapTier, @Nullable String redisAddress, @Nullable String stream) {
        this.path = BenchPools.newPath("coherence");
        this.capacity = capacity;
        this.heapTier = heapTier;
        this.redisAddress = redisAddress;
        this.stream = stream;
        start();
    }

    /** Opens the pool (creating it the first time) and the cache manager; with Redis, catches up first. */
    void start() {
        if (pool != null) {
            throw new IllegalStateException("already started");
        }
        // Room for every entry twice over (an overwrite writes the new entry before freeing the old
        // one) and for a full outbox of waiting changes.
        PoolOptions options = PoolOptions.layout("bench-coherence")
                .withSize(MapStore.poolSize(64, 512, 2 * capacity + 100_000))
                .withDurability(Durability.PROCESS);
        pool = PmemPool.openOrCreate(path, options);
        try {
            PmemCacheManager.Builder builder = PmemCacheManager.builder(pool)
                    .cache(
                            CacheStore.CACHE_NAME,
                            PmemCacheSettings.defaults()
                                    .withSerializer(JdkValueSerializer.allowing(Product.class.getName()))
                                    .withHeapTier(heapTier))
                    .dynamic(false);
            if (redisAddress != null) {
                redis = CacheStore.lettuce(redisAddress);
                coherence = RedisCacheCoherence.builder(redis).stream(stream)
                        .catchUpTimeout(Duration.ofSeconds(30))
                        .build();
                builder.coherence(coherence);
            }
            cache = builder.build().getCache(CacheStore.CACHE_NAME);
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    Cache cache() {
        if (cache == null) {
            throw new IllegalStateException("stopped");
        }
        return cache;
    }

    @Nullable
    RedisCacheCoherence coherence() {
        return coherence;
    }

    /** Closes coherence (sending what waits), Redis and the pool, in that order; keeps the file. */
    void stop() {
        try {
            if (coherence != null) {
                coherence.close();
            }
            if (redis != null) {
                redis.destroy();
            }
        } finally {
            coherence = null;
            redis = null;
            cache = null;
            if (pool != null) {
                pool.close();
                pool = null;
            }
        }
    }

    /** Stops and deletes the pool file. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            BenchPools.delete(path);
        }
    }
}
