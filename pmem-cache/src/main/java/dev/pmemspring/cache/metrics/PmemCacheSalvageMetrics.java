package dev.pmemspring.cache.metrics;

import java.util.Objects;
import java.util.function.ToLongFunction;

import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.SalvageReport;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * What a cache manager salvaged when it found its pool cut by a machine crash:
 * {@code pmem.cache.salvaged.entries} with tag {@code result} = kept or dropped. Both are 0 after a
 * clean shutdown, so an alert can be set on {@code result=dropped} above 0 from the first start.
 */
public class PmemCacheSalvageMetrics implements MeterBinder {

    private final PmemCacheManager manager;

    private final Iterable<Tag> tags;

    public PmemCacheSalvageMetrics(PmemCacheManager manager, Iterable<Tag> tags) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.tags = Tags.of(tags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(
                registry,
                "kept",
                "Cached entries that verified after a machine crash and were kept",
                SalvageReport::entriesKept);
        gauge(
                registry,
                "dropped",
                "Cached entries dropped after a machine crash (they did not verify, or the caches started cold)",
                SalvageReport::entriesDropped);
    }

    private void gauge(MeterRegistry registry, String result, String description, ToLongFunction<SalvageReport> count) {
        Gauge.builder(
                        "pmem.cache.salvaged.entries",
                        manager,
                        m -> m.salvage().map(count::applyAsLong).orElse(0L))
                .description(description)
                .tags(tags)
                .tag("result", result)
                .register(registry);
    }
}
