package dev.pmemspring.demo.interim;

import java.nio.file.Path;
import java.time.Duration;

import dev.pmemspring.cache.JdkValueSerializer;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** TEMPORARY until the starter's auto-configuration lands on main: to be deleted then. */
@Configuration(proxyBeanMethods = false)
@EnableCaching
class InterimPmemConfiguration {

    @Bean(destroyMethod = "close")
    PmemPool pmemPool(@Value("${pmem.pool.path}") Path path, @Value("${pmem.pool.size:64MB}") DataSize size,
                      @Value("${pmem.pool.layout:spring}") String layout,
                      @Value("${pmem.pool.durability:sync}") String durability) {
        return PmemPool.openOrCreate(path, PoolOptions.layout(layout).withSize(size.toBytes())
                .withDurability(Durability.valueOf(durability.toUpperCase())));
    }

    @Bean
    PmemCacheManager cacheManager(PmemPool pool,
                                  @Value("${pmem.cache.caches.products.time-to-live:10m}") Duration productsTtl,
                                  @Value("${pmem.cache.caches.quotes.time-to-live:30s}") Duration quotesTtl) {
        PmemCacheSettings base = PmemCacheSettings.defaults()
                .withSerializer(JdkValueSerializer.allowing("dev.pmemspring.demo.**"));
        return PmemCacheManager.builder(pool)
                .cache("products", base.withTimeToLive(productsTtl).withMaximumEntries(200_000).withHeapTier(1000))
                .cache("quotes", base.withTimeToLive(quotesTtl).withMaximumEntries(10_000))
                .build();
    }
}
