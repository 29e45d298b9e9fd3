package dev.pmemspring.boot.cache.metrics;

import dev.pmemspring.cache.metrics.PmemCacheMetrics;
import dev.pmemspring.cache.PmemCache;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/** Lets Spring Boot's cache metrics bind {@link PmemCache}s, through {@link PmemCacheMetrics}. */
public class PmemCacheMeterBinderProvider implements CacheMeterBinderProvider<PmemCache> {

    @Override
    public MeterBinder getMeterBinder(PmemCache cache, Iterable<Tag> tags) {
        return new PmemCacheMetrics(cache, tags);
    }
}
