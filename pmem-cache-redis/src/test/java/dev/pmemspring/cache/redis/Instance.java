package dev.pmemspring.cache.redis;

import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** One service instance in a test: its own pool, a cache manager on it, and a coherence over a shared Redis. */
final class Instance implements AutoCloseable {

    static final String STREAM = "pmem:coherence:test";

    final PmemPool pool;
    final LettuceConnectionFactory redis;
    final RedisCacheCoherence coherence;
    final PmemCacheManager caches;

    private Instance(
            PmemPool pool, LettuceConnectionFactory redis, RedisCacheCoherence coherence, PmemCacheManager caches) {
        this.pool = pool;
        this.redis = redis;
        this.coherence = coherence;
        this.caches = caches;
    }

    static Instance open(Path poolFile, RedisServer server) {
        return open(poolFile, server, b -> b, PmemCacheSettings.defaults());
    }

    /** An instance whose pool has {@code durability} ({@code sync}: every persist point writes back). */
    static Instance open(Path poolFile, RedisServer server, Durability durability) {
        return open(poolFile, server, b -> b, PmemCacheSettings.defaults(), durability);
    }

    static Instance open(
            Path poolFile,
            RedisServer server,
            UnaryOperator<RedisCacheCoherence.Builder> options,
            PmemCacheSettings settings) {
        return open(poolFile, server, options, settings, Durability.PROCESS);
    }

    private static Instance open(
            Path poolFile,
            RedisServer server,
            UnaryOperator<RedisCacheCoherence.Builder> options,
            PmemCacheSettings settings,
            Durability durability) {
        PmemPool pool = PmemPool.openOrCreate(
                poolFile,
                PoolOptions.layout("coherence-test").withSize(32L << 20).withDurability(durability));
        LettuceConnectionFactory redis = server.connectionFactory();
        RedisCacheCoherence coherence = options.apply(RedisCacheCoherence.builder(redis).stream(STREAM)
                        .catchUpTimeout(Duration.ofSeconds(10))
                        .readBlock(Duration.ofMillis(500)))
                .build();
        PmemCacheManager caches = PmemCacheManager.builder(pool)
                .defaults(settings)
                .coherence(coherence)
                .build();
        return new Instance(pool, redis, coherence, caches);
    }

    PmemCache cache(String name) {
        return caches.getCache(name);
    }

    @Override
    public void close() {
        coherence.close();
        redis.destroy();
        pool.close();
    }
}
