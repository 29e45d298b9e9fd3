package dev.pmemspring.boot.autoconfigure.metrics;

import java.nio.file.Path;
import java.util.Map;

import dev.pmemspring.boot.cache.metrics.PmemCacheMeterBinderProvider;
import dev.pmemspring.boot.cache.metrics.PmemCacheMetricsBinder;
import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.cache.PmemCacheAutoConfiguration;
import dev.pmemspring.cache.PmemCacheManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class PmemCacheMetricsAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class,
                        MetricsAutoConfiguration.class,
                        PmemCacheMetricsAutoConfiguration.class,
                        CacheMetricsAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues(
                        "pmem.pool.path=" + dir.resolve("cm.pool"),
                        "pmem.pool.size=16MB",
                        "pmem.cache.cache-names=static",
                        "pmem.cache.dynamic=true");
    }

    @Test
    void bootBindsTheCachesKnownAtStartUp() {
        runner().run(context -> {
            assertThat(context)
                    .hasSingleBean(PmemCacheMeterBinderProvider.class)
                    .hasSingleBean(PmemCacheMetricsBinder.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            PmemCacheManager manager = context.getBean(PmemCacheManager.class);
            manager.getCache("static").put("k", "v");
            manager.getCache("static").get("k");
            manager.getCache("static").get("absent");
            assertThat(registry.get("cache.gets")
                            .tags("cache", "static", "result", "hit", "cache.manager", "cacheManager")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("cache.gets")
                            .tags("cache", "static", "result", "miss")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("cache.puts")
                            .tag("cache", "static")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("cache.removals")
                            .tag("cache", "static")
                            .functionCounter()
                            .count())
                    .isZero();
            assertThat(registry.get("cache.pmem.deserialization.failures")
                            .tag("cache", "static")
                            .functionCounter())
                    .isNotNull();
            PmemCacheMetricsBinder another = new PmemCacheMetricsBinder(
                    Map.of("cacheManager", manager),
                    () -> context.getBean(CacheMetricsRegistrar.class),
                    () -> registry);
            assertThat(another.bindNewCaches())
                    .as("caches Boot bound are not bound twice")
                    .isZero();
        });
    }

    @Test
    void theBinderFindsCachesCreatedLater() {
        runner().run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            PmemCacheManager manager = context.getBean(PmemCacheManager.class);
            PmemCacheMetricsBinder binder = new PmemCacheMetricsBinder(
                    Map.of("cacheManager", manager),
                    () -> context.getBean(CacheMetricsRegistrar.class),
                    () -> registry);
            binder.start();
            try {
                manager.getCache("later").put("k", "v"); // bound when created, no waiting
                assertThat(registry.get("cache.size")
                                .tag("cache", "later")
                                .gauge()
                                .value())
                        .isEqualTo(1);
                assertThat(binder.bindNewCaches()).isZero(); // each cache once
            } finally {
                binder.stop();
            }
            assertThat(binder.isRunning()).isFalse();
        });
    }

    @Test
    void idleWithoutARegistry() {
        PmemCacheMetricsBinder binder = new PmemCacheMetricsBinder(Map.of(), () -> null, () -> null);
        binder.start();
        assertThat(binder.isRunning()).isFalse();
        assertThat(binder.bindNewCaches()).isZero();
    }

    @Test
    void absentWithoutMicrometer() {
        runner().withClassLoader(new FilteredClassLoader(MeterBinder.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PmemCacheMeterBinderProvider.class));
    }

    @Test
    void absentWithoutAPmemCacheManager() {
        runner().withPropertyValues("spring.cache.type=simple")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(PmemCacheMeterBinderProvider.class)
                        .doesNotHaveBean(PmemCacheMetricsBinder.class));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}
}
