package dev.pmemspring.cache.metrics;

import java.util.function.ToDoubleFunction;

import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheStats;
import org.jspecify.annotations.Nullable;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;

/**
 * Micrometer's standard cache meters for a {@link PmemCache} ({@code cache.gets} with
 * {@code result} hit or miss, {@code cache.puts}, {@code cache.evictions}, {@code cache.size}), plus
 * {@code cache.removals}, {@code cache.pmem.bytes}, {@code cache.pmem.deserialization.failures},
 * {@code cache.pmem.rejected.puts} and {@code cache.pmem.checksum.failures}.
 */
public class PmemCacheMetrics extends CacheMeterBinder<PmemCache> {

    public PmemCacheMetrics(PmemCache cache, Iterable<Tag> tags) {
        super(cache, cache.getName(), tags);
    }

    @Override
    protected @Nullable Long size() {
        PmemCacheStats stats = stats();
        return stats == null ? null : stats.size();
    }

    @Override
    protected long hitCount() {
        PmemCacheStats stats = stats();
        return stats == null ? 0 : stats.hits();
    }

    @Override
    protected @Nullable Long missCount() {
        PmemCacheStats stats = stats();
        return stats == null ? null : stats.misses();
    }

    @Override
    protected @Nullable Long evictionCount() {
        PmemCacheStats stats = stats();
        return stats == null ? null : stats.evictions();
    }

    @Override
    protected long putCount() {
        PmemCacheStats stats = stats();
        return stats == null ? 0 : stats.puts();
    }

    @Override
    protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
        counter(registry, "cache.removals", "Entries removed on request (evict, clear)", PmemCacheStats::removals);
        counter(
                registry,
                "cache.pmem.deserialization.failures",
                "Values that no longer deserialized; each was a miss and was removed",
                PmemCacheStats::deserializationFailures);
        counter(
                registry,
                "cache.pmem.rejected.puts",
                "Values not cached: too large, or no room even after evicting",
                PmemCacheStats::rejectedPuts);
        counter(
                registry,
                "cache.pmem.checksum.failures",
                "Damaged entries found; each was a miss and was removed",
                PmemCacheStats::checksumFailures);
        Gauge.builder("cache.pmem.bytes", this, m -> m.stat(PmemCacheStats::bytes))
                .description("Bytes the cache's entries take in the pool")
                .baseUnit(BaseUnits.BYTES)
                .tags(getTagsWithCacheName())
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<PmemCacheStats> f) {
        FunctionCounter.builder(name, this, m -> m.stat(f))
                .description(description)
                .tags(getTagsWithCacheName())
                .register(registry);
    }

    private double stat(ToDoubleFunction<PmemCacheStats> f) {
        PmemCacheStats stats = stats();
        return stats == null ? Double.NaN : f.applyAsDouble(stats);
    }

    private @Nullable PmemCacheStats stats() {
        PmemCache cache = getCache();
        if (cache == null) {
            return null;
        }
        try {
            return cache.stats();
        } catch (IllegalStateException closedPool) {
            return null;
        }
    }
}
