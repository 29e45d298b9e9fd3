package dev.pmemspring.boot.autoconfigure.metrics;

import dev.pmemspring.boot.cache.metrics.PmemCacheMeterBinderProvider;
import dev.pmemspring.boot.cache.metrics.PmemCacheMetricsBinder;
import dev.pmemspring.boot.autoconfigure.cache.PmemCacheAutoConfiguration;
import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheManager;

import java.util.Map;

import dev.pmemspring.cache.metrics.PmemCacheSalvageMetrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.context.annotation.Bean;

/**
 * Cache meters for pmem caches: a {@link PmemCacheMeterBinderProvider}, through which Spring Boot's
 * cache metrics bind the caches known at start-up, and a {@link PmemCacheMetricsBinder} for the caches
 * created on demand afterwards; and {@code pmem.cache.salvaged.entries} for each cache manager
 * ({@link PmemCacheSalvageMetrics}).
 */
@AutoConfiguration(
        after = PmemCacheAutoConfiguration.class,
        beforeName = "org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration")
@ConditionalOnClass({MeterBinder.class, CacheMeterBinderProvider.class, PmemCache.class})
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@ConditionalOnBean(PmemCacheManager.class)
public final class PmemCacheMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PmemCacheMeterBinderProvider pmemCacheMeterBinderProvider() {
        return new PmemCacheMeterBinderProvider();
    }

    @Bean
    @ConditionalOnMissingBean
    PmemCacheMetricsBinder pmemCacheMetricsBinder(
            ListableBeanFactory beanFactory,
            ObjectProvider<CacheMetricsRegistrar> registrar,
            ObjectProvider<MeterRegistry> registry) {
        // Boot's registrar is defined by its cache metrics configuration, which runs after this one
        // (and only when a MeterRegistry exists): look it up when binding
        return new PmemCacheMetricsBinder(
                beanFactory.getBeansOfType(PmemCacheManager.class),
                registrar::getIfAvailable,
                registry::getIfAvailable);
    }

    @Bean
    @ConditionalOnMissingBean(name = "pmemCacheSalvageMetrics")
    MeterBinder pmemCacheSalvageMetrics(ListableBeanFactory beanFactory) {
        Map<String, PmemCacheManager> managers = beanFactory.getBeansOfType(PmemCacheManager.class);
        return registry -> managers.forEach((name, manager) ->
                new PmemCacheSalvageMetrics(manager, Tags.of("cache.manager", name)).bindTo(registry));
    }
}
