package dev.pmemspring.boot.autoconfigure.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.jcache.PmemCachingProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.JCacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.JCachePropertiesCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With pmem-jcache on the class path beside the starter: the starter's own cache manager stays in
 * charge, unless the application asks for JCache ({@code spring.cache.type=jcache}); then Boot's
 * JCache support runs on the pmem provider, whose pool a {@link JCachePropertiesCustomizer} names.
 */
class JCacheProviderChoiceTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.pool.path=" + dir.resolve("app.pool"), "pmem.pool.size=16MB");
    }

    @Test
    void theStartersCacheManagerWinsByDefault() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(CacheManager.class);
            assertThat(context.getBean(CacheManager.class)).isInstanceOf(PmemCacheManager.class);
        });
    }

    @Test
    void springCacheTypeJCacheRunsBootsJCacheSupportOnThePmemProvider() {
        runner().withUserConfiguration(JCachePool.class)
                .withPropertyValues(
                        "spring.cache.type=jcache",
                        "spring.cache.jcache.provider=" + PmemCachingProvider.class.getName(),
                        "spring.cache.cache-names=quotes")
                .run(context -> {
                    assertThat(context).hasSingleBean(CacheManager.class);
                    JCacheCacheManager manager = context.getBean(JCacheCacheManager.class);
                    javax.cache.CacheManager jcache = manager.getCacheManager();
                    assertThat(jcache.getCachingProvider()).isInstanceOf(PmemCachingProvider.class);
                    assertThat(jcache.unwrap(PmemPool.class).path()).isEqualTo(dir.resolve("jcache.pool"));
                    manager.getCache("quotes").put("k", "v");
                    assertThat(manager.getCache("quotes").get("k").get()).isEqualTo("v");
                });
    }

    @Test
    void underBootsJCacheSupportTheCachesComeBackWarmAfterARestart() {
        ApplicationContextRunner jcache = runner().withUserConfiguration(JCachePool.class, GetOrCreate.class)
                .withPropertyValues(
                        "spring.cache.type=jcache",
                        "spring.cache.jcache.provider=" + PmemCachingProvider.class.getName());
        jcache.run(context ->
                context.getBean(CacheManager.class).getCache("quotes").put("k", "v"));
        jcache.run(context -> assertThat(context.getBean(CacheManager.class)
                        .getCache("quotes")
                        .get("k")
                        .get())
                .as("from the pool, after the context closed and a new one started")
                .isEqualTo("v"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    /** Not spring.cache.cache-names: Boot creates those with createCache, which starts them empty. */
    @Configuration(proxyBeanMethods = false)
    static class GetOrCreate {
        @Bean
        JCacheManagerCustomizer pmemCaches() {
            return manager -> {
                if (manager.getCache("quotes") == null) {
                    manager.createCache("quotes", new javax.cache.configuration.MutableConfiguration<>());
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class JCachePool {
        @Bean
        JCachePropertiesCustomizer pmemJCachePool(
                @org.springframework.beans.factory.annotation.Value("${pmem.pool.path}") Path app) {
            return properties -> properties.setProperty(
                    "pmem.jcache.pool", app.resolveSibling("jcache.pool").toString());
        }
    }
}
