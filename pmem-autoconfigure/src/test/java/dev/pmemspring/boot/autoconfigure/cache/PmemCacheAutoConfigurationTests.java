package dev.pmemspring.boot.autoconfigure.cache;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.pmemspring.boot.cache.PmemCacheManagerBuilderCustomizer;
import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.cache.app.AppPackage;
import dev.pmemspring.boot.autoconfigure.cache.app.Order;
import dev.pmemspring.cache.AfterUnsafeShutdown;
import dev.pmemspring.cache.ForyValueSerializer;
import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.support.NoOpCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmemCacheAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class))
                .withPropertyValues("pmem.pool.path=" + dir.resolve("c.pool"), "pmem.pool.size=16MB");
    }

    @Test
    void providesTheCacheManagerWhenCachingIsEnabled() {
        runner().withUserConfiguration(Caching.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(CacheManager.class).hasBean("cacheManager");
            PmemCacheManager manager = context.getBean(PmemCacheManager.class);
            assertThat(manager.isDynamic()).isTrue();
            PmemCache cache = manager.getCache("quotes");
            cache.put("k", "v");
            assertThat(cache.get("k").get()).isEqualTo("v");
            PmemCacheSettings d = manager.defaults();
            assertThat(d.timeToLive()).isEqualTo(Duration.ZERO);
            assertThat(d.maximumEntries()).isZero();
            assertThat(d.maximumValueBytes()).isEqualTo(1L << 20);
            assertThat(d.nullValues()).isTrue();
            assertThat(d.heapTier()).isZero();
            assertThat(d.serializer().id()).isEqualTo("fory");
        });
    }

    @Test
    void absentWithoutEnableCaching() {
        runner().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CacheManager.class));
    }

    @Test
    void backsOffForTheApplicationsCacheManager() {
        runner().withUserConfiguration(Caching.class, OwnCacheManager.class).run(context -> {
            assertThat(context).hasSingleBean(CacheManager.class).doesNotHaveBean(PmemCacheManager.class);
            assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
        });
    }

    @Test
    void backsOffWhenSpringCacheTypeIsSet() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("spring.cache.type=none")
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(PmemCacheManager.class);
                    assertThat(context.getBean(CacheManager.class)).isInstanceOf(NoOpCacheManager.class);
                });
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("spring.cache.type=simple")
                .run(context ->
                        assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class));
    }

    @Test
    void absentWithoutAPool() {
        // Boot's own choice: Caffeine, which pmem-cache brings for its heap tier (JCache, which Boot
        // prefers, when a JCache provider is on the class path: this module's tests have pmem-jcache)
        runner().withUserConfiguration(Caching.class)
                .withClassLoader(new FilteredClassLoader(
                        new ClassPathResource("META-INF/services/javax.cache.spi.CachingProvider")))
                .withPropertyValues("pmem.enabled=false")
                .run(context ->
                        assertThat(context.getBean(CacheManager.class)).isInstanceOf(CaffeineCacheManager.class));
    }

    @Test
    void bindsDefaultsAndPerCacheSettings() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues(
                        "pmem.cache.time-to-live=10m",
                        "pmem.cache.maximum-entries=1000",
                        "pmem.cache.maximum-bytes=2MB",
                        "pmem.cache.maximum-value-size=64KB",
                        "pmem.cache.allow-null-values=false",
                        "pmem.cache.heap-tier-entries=50",
                        "pmem.cache.cache-names=a,b",
                        "pmem.cache.after-unsafe-shutdown=start-cold",
                        "pmem.cache.caches.quotes.time-to-live=30s",
                        "pmem.cache.caches.quotes.maximum-entries=10",
                        "pmem.cache.caches.quotes.allow-null-values=true",
                        "pmem.cache.caches.quotes.heap-tier-entries=0",
                        "pmem.cache.caches.quotes.maximum-bytes=1MB",
                        "pmem.cache.caches.quotes.maximum-value-size=1KB")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("a", "b", "quotes");
                    assertThat(manager.isDynamic()).isFalse();
                    assertThat(manager.getCache("other")).isNull();
                    PmemCacheSettings a = manager.getCache("a").settings();
                    assertThat(a.timeToLive()).isEqualTo(Duration.ofMinutes(10));
                    assertThat(a.maximumEntries()).isEqualTo(1000);
                    assertThat(a.maximumBytes()).isEqualTo(2L << 20);
                    assertThat(a.maximumValueBytes()).isEqualTo(64L << 10);
                    assertThat(a.nullValues()).isFalse();
                    assertThat(a.heapTier()).isEqualTo(50);
                    PmemCacheSettings q = manager.getCache("quotes").settings();
                    assertThat(q.timeToLive()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(q.maximumEntries()).isEqualTo(10);
                    assertThat(q.maximumBytes()).isEqualTo(1L << 20);
                    assertThat(q.maximumValueBytes()).isEqualTo(1024);
                    assertThat(q.nullValues()).isTrue();
                    assertThat(q.heapTier()).isZero();
                    assertThat(context.getBean(dev.pmemspring.boot.autoconfigure.PmemProperties.class)
                                    .getCache()
                                    .getAfterUnsafeShutdown())
                            .isEqualTo(AfterUnsafeShutdown.START_COLD);
                });
    }

    @Test
    void perCacheSettingsAloneKeepCachesDynamic() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.caches.quotes.maximum-entries=5")
                .run(context -> {
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    assertThat(manager.isDynamic()).isTrue();
                    assertThat(manager.getCache("anything")).isNotNull();
                    assertThat(manager.getCache("quotes").settings().maximumEntries())
                            .isEqualTo(5);
                });
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.cache-names=a", "pmem.cache.dynamic=true")
                .run(context -> assertThat(
                                context.getBean(PmemCacheManager.class).getCache("b"))
                        .isNotNull());
    }

    @Test
    void allowsTheApplicationsPackagesAndListedClasses() {
        runner().withUserConfiguration(Caching.class, AppPackage.class).run(context -> {
            PmemCache cache = context.getBean(PmemCacheManager.class).getCache("orders");
            assertThat(((ForyValueSerializer) cache.settings().serializer()).allowedClasses())
                    .contains("dev.pmemspring.boot.autoconfigure.cache.app.**");
            cache.put(1L, new Order(1, "espresso"));
            assertThat(cache.get(1L, Order.class)).isEqualTo(new Order(1, "espresso"));
        });
        runner().withUserConfiguration(Caching.class, AppPackage.class)
                .withPropertyValues(
                        "pmem.cache.allow-application-packages=false",
                        "pmem.cache.allowed-classes=com.example.**,java.net.*")
                .run(context -> {
                    PmemCache cache = context.getBean(PmemCacheManager.class).getCache("orders");
                    List<String> allowed =
                            ((ForyValueSerializer) cache.settings().serializer()).allowedClasses();
                    assertThat(allowed)
                            .contains("com.example.**", "java.net.*")
                            .doesNotContain("dev.pmemspring.boot.autoconfigure.cache.app.**");
                    // refused when written, since it could not be read back
                    assertThatThrownBy(() -> cache.put(2L, new Order(2, "tea")))
                            .hasMessageContaining("pmem.cache.allowed-classes");
                });
    }

    @Test
    void bindsTimeToIdleAndRefreshAheadForEveryCacheAndForOne() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues(
                        "pmem.cache.time-to-idle=2m",
                        "pmem.cache.caches.brief.time-to-idle=5s",
                        "pmem.cache.refresh-ahead=1m",
                        "pmem.cache.caches.brief.refresh-ahead=0s")
                .run(context -> {
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    assertThat(manager.getCache("any").settings().timeToIdle()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(manager.getCache("brief").settings().timeToIdle())
                            .isEqualTo(Duration.ofSeconds(5));
                    assertThat(manager.getCache("any").settings().refreshAhead())
                            .isEqualTo(Duration.ofMinutes(1));
                    assertThat(manager.getCache("brief").settings().refreshAhead())
                            .isZero();
                });
    }

    @Test
    void boundsTheHeapTierByEntriesOrByBytes() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.heap-tier-entries=1000", "pmem.cache.caches.large.heap-tier-bytes=16MB")
                .run(context -> {
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    assertThat(manager.getCache("small").settings().heapTier()).isEqualTo(1000);
                    assertThat(manager.getCache("large").settings().heapTier()).isZero();
                    assertThat(manager.getCache("large").settings().heapTierBytes())
                            .isEqualTo(16L << 20);
                });
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.heap-tier-entries=1000", "pmem.cache.heap-tier-bytes=16MB")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("pmem.cache.heap-tier-bytes")
                        .hasMessageContaining("remove one of them"));
    }

    @Test
    void choosesTheJsonSerializer() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.serializer=json", "pmem.cache.caches.legacy.serializer=jdk")
                .run(context -> {
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    assertThat(manager.getCache("fresh").settings().serializer().id())
                            .isEqualTo("json");
                    assertThat(manager.getCache("legacy")
                                    .settings()
                                    .serializer()
                                    .id())
                            .isEqualTo("jdk");
                    manager.getCache("fresh").put("k", List.of(1, 2));
                    assertThat(manager.getCache("fresh").get("k").get()).isEqualTo(List.of(1, 2));
                });
    }

    @Test
    void refusesJsonWithoutJackson() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.serializer=json")
                .withClassLoader(new FilteredClassLoader("tools.jackson"))
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("pmem.cache.serializer")
                        .hasMessageContaining("Jackson"));
    }

    @Test
    void rejectsInvalidValuesWithThePropertyName() {
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.caches.q.maximum-entries=-1")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("pmem.cache.caches.q.maximum-entries"));
        runner().withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.cache.heap-tier-entries=-3")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("pmem.cache.heap-tier-entries"));
    }

    @Test
    void appliesCustomizers() {
        runner().withUserConfiguration(Caching.class)
                .withBean(
                        PmemCacheManagerBuilderCustomizer.class,
                        () -> builder -> builder.cache(
                                "custom", PmemCacheSettings.defaults().withMaximumEntries(3)))
                .run(context -> {
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    assertThat(manager.getCache("custom").settings().maximumEntries())
                            .isEqualTo(3);
                });
    }

    @Test
    void cachesSurviveARestartOfTheContext() {
        runner().withUserConfiguration(Caching.class)
                .run(context ->
                        context.getBean(PmemCacheManager.class).getCache("warm").put("k", "still here"));
        runner().withUserConfiguration(Caching.class).run(context -> {
            PmemCacheManager manager = context.getBean(PmemCacheManager.class);
            assertThat(manager.getCacheNames()).contains("warm");
            assertThat(manager.getCache("warm").get("k").get()).isEqualTo("still here");
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    @Configuration(proxyBeanMethods = false)
    static class OwnCacheManager {

        @Bean
        CacheManager ownCacheManager() {
            return new ConcurrentMapCacheManager();
        }
    }
}
