package dev.pmemspring.cache;

/**
 * A cache's figures at one moment. Counters run from when this process opened the cache; size and
 * bytes are what the pool holds, entries written before a restart included. Micrometer's cache
 * meters read them through the Boot auto-configuration.
 *
 * @param hits lookups answered from the cache
 * @param misses lookups that found nothing (deserialization failures and damaged entries included)
 * @param puts values written
 * @param evictions entries removed by the cache itself: over a bound, expired, or to make room
 * @param removals entries removed on request: {@code evict}, {@code evictIfPresent}, {@code clear}
 * @param deserializationFailures values that no longer deserialized (changed or blocked class);
 *        each was a miss and was removed
 * @param rejectedPuts values not cached: over the size limit, or no room even after evicting
 * @param checksumFailures entries the pool found damaged; each was a miss and was removed
 * @param invalidations entries dropped because another instance changed them (see {@link CacheCoherence})
 * @param discardedLoads loaded values not stored because their key was written or invalidated while
 *        they loaded (the value may predate that change)
 * @param refreshes entries reloaded ahead of their deadline ({@link PmemCacheSettings#withRefreshAhead})
 * @param size entries in the pool (expired ones not yet removed included)
 * @param bytes bytes those entries take in the pool (headers, keys and values)
 */
public record PmemCacheStats(
        long hits,
        long misses,
        long puts,
        long evictions,
        long removals,
        long deserializationFailures,
        long rejectedPuts,
        long checksumFailures,
        long invalidations,
        long discardedLoads,
        long refreshes,
        long size,
        long bytes) {

    /** Hits over lookups, or 1 when there were none (as Caffeine reports it). */
    public double hitRate() {
        long lookups = hits + misses;
        return lookups == 0 ? 1.0 : (double) hits / lookups;
    }
}
