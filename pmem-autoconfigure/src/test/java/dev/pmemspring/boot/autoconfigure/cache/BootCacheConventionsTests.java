package dev.pmemspring.boot.autoconfigure.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.cache.PmemCacheManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What an application moving from another Boot cache provider brings along keeps working. */
class BootCacheConventionsTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.pool.path=" + dir.resolve("c.pool"), "pmem.pool.size=16MB");
    }

    @Test
    void springCacheCacheNamesAreTheCachesToo() {
        runner().withPropertyValues("spring.cache.cache-names=quotes,prices", "pmem.cache.cache-names=orders")
                .run(context -> {
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("orders", "quotes", "prices");
                    assertThat(manager.isDynamic()).isFalse();
                });
    }

    @Test
    void bootsCacheManagerCustomizersForThisManagerAreApplied() {
        runner().withUserConfiguration(Customizers.class).run(context -> {
            PmemCacheManager manager = context.getBean(PmemCacheManager.class);
            List<Object> seen = context.getBean(Customizers.class).seen;
            assertThat(seen).containsExactly(manager); // the ConcurrentMapCacheManager one is skipped
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    @Configuration(proxyBeanMethods = false)
    static class Customizers {

        final List<Object> seen = new ArrayList<>();

        @Bean
        CacheManagerCustomizer<PmemCacheManager> pmemCustomizer() {
            return seen::add;
        }

        @Bean
        CacheManagerCustomizer<ConcurrentMapCacheManager> otherCustomizer() {
            return seen::add;
        }
    }
}
