package dev.pmemspring.jcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.spi.CachingProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the pool adds to JCache: caches, their configuration and entries outlive the manager. */
class PmemCachingProviderTest {

    @TempDir
    Path dir;

    private final CachingProvider provider = Caching.getCachingProvider();

    @Test
    void theProviderIsFoundByTheServiceLoader() {
        assertThat(provider).isInstanceOf(PmemCachingProvider.class);
        assertThat(provider.getDefaultURI()).isEqualTo(URI.create(PmemCachingProvider.DEFAULT_URI));
    }

    @Test
    void aCacheComesBackAfterTheManagerClosedWithItsEntriesAndConfiguration() {
        URI uri = dir.resolve("quotes.pool").toUri();
        CacheManager first = provider.getCacheManager(uri, null);
        Cache<String, Long> prices = first.createCache(
                "prices",
                new MutableConfiguration<String, Long>()
                        .setTypes(String.class, Long.class)
                        .setStatisticsEnabled(true)
                        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ONE_HOUR)));
        for (int i = 0; i < 100; i++) {
            prices.put("p" + i, (long) i);
        }
        first.close();
        assertThat(prices.isClosed()).isTrue();

        CacheManager second = provider.getCacheManager(uri, null);
        assertThat(second).isNotSameAs(first);
        assertThat(second.getCacheNames()).as("listed once opened").isEmpty();
        Cache<String, Long> again = second.getCache("prices", String.class, Long.class);
        assertThat(again).isNotNull();
        assertThat(again.get("p42")).isEqualTo(42L);
        assertThat(again).hasSize(100);
        CompleteConfiguration<?, ?> c = again.getConfiguration(CompleteConfiguration.class);
        assertThat(c.isStatisticsEnabled()).isTrue();
        assertThat(c.getExpiryPolicyFactory().create().getExpiryForCreation()).isEqualTo(Duration.ONE_HOUR);
        assertThat(second.getCacheNames()).containsExactly("prices");
        assertThatThrownBy(() -> second.getCache("prices", Integer.class, Long.class))
                .isInstanceOf(ClassCastException.class);
        second.close();
    }

    @Test
    void createCacheMakesANewEmptyCacheAndDestroyCacheForgetsIt() {
        URI uri = dir.resolve("c.pool").toUri();
        CacheManager manager = provider.getCacheManager(uri, null);
        Cache<String, String> c = manager.createCache("c", new MutableConfiguration<>());
        c.put("k", "v");
        assertThatThrownBy(() -> manager.createCache("c", new MutableConfiguration<>()))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("exists already");
        c.close();
        assertThat(manager.getCache("c")).as("closed in this manager").isNull();
        manager.destroyCache("c"); // closed here, destroyed all the same: its entries go
        assertThat(manager.unwrap(PmemPool.class).map("jcache/c").size()).isZero();
        manager.close();

        CacheManager next = provider.getCacheManager(uri, null);
        Cache<String, String> created = next.createCache("c", new MutableConfiguration<>());
        assertThat(created.get("k")).as("a new cache, not the one before").isNull();
        created.put("k2", "v2");
        next.destroyCache("c");
        next.close();

        CacheManager last = provider.getCacheManager(uri, null);
        assertThat(last.getCache("c")).as("destroyed: gone from the pool").isNull();
        last.close();
    }

    @Test
    void storeByReferenceHandsBackTheObjectPutAndTheCopyAfterARestart() {
        URI uri = dir.resolve("r.pool").toUri();
        assertThat(provider.isSupported(javax.cache.configuration.OptionalFeature.STORE_BY_REFERENCE))
                .isTrue();
        CacheManager first = provider.getCacheManager(uri, null);
        Cache<String, java.util.ArrayList<String>> lists = first.createCache(
                "lists", new MutableConfiguration<String, java.util.ArrayList<String>>().setStoreByValue(false));
        java.util.ArrayList<String> put = new java.util.ArrayList<>(java.util.List.of("a", "b"));
        lists.put("k", put);
        assertThat(lists.get("k")).isSameAs(put);
        first.close();

        CacheManager second = provider.getCacheManager(uri, null);
        Cache<String, java.util.ArrayList<String>> again = second.getCache("lists");
        assertThat(again.getConfiguration(CompleteConfiguration.class).isStoreByValue())
                .isFalse();
        java.util.ArrayList<String> read = again.get("k");
        assertThat(read).as("the copy the pool kept").isEqualTo(put).isNotSameAs(put);
        assertThat(again.get("k")).as("the reference from then on").isSameAs(read);
        second.close();
    }

    @Test
    void aFullPoolGivesUpExpiredEntriesBeforeItRefusesAPut() throws Exception {
        Properties small = new Properties();
        small.setProperty("pmem.jcache.pool-size", "8MB");
        small.setProperty("pmem.jcache.pool-max-size", "8MB"); // a pool that cannot grow out of it
        CacheManager manager =
                provider.getCacheManager(dir.resolve("small.pool").toUri(), null, small);
        Cache<Integer, byte[]> brief = manager.createCache(
                "brief",
                new MutableConfiguration<Integer, byte[]>()
                        .setTypes(Integer.class, byte[].class)
                        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(
                                new Duration(java.util.concurrent.TimeUnit.MILLISECONDS, 20))));
        byte[] value = new byte[1024];
        for (int i = 0; i < 30_000; i++) { // about 30 MB through an 8 MB pool: keys never met again
            brief.put(i, value);
            if (i % 2_000 == 1_999) {
                assertThat(brief.get(i)).as("put %d", i).isNotNull();
                Thread.sleep(30);
            }
        }
        manager.close();
    }

    @Test
    void aPoolGrowsRatherThanRefuseAPut() {
        Properties small = new Properties();
        small.setProperty("pmem.jcache.pool-size", "8MB");
        small.setProperty("pmem.jcache.pool-max-size", "64MB");
        CacheManager manager =
                provider.getCacheManager(dir.resolve("grows.pool").toUri(), null, small);
        Cache<Integer, byte[]> lasting = manager.createCache(
                "lasting", new MutableConfiguration<Integer, byte[]>().setTypes(Integer.class, byte[].class));
        byte[] value = new byte[1024];
        for (int i = 0; i < 30_000; i++) { // about 30 MB, none expiring
            lasting.put(i, value);
        }
        assertThat(lasting.get(0)).isNotNull();
        assertThat(manager.unwrap(PmemPool.class).stats().poolSize()).isGreaterThan(30L << 20);
        manager.close();
    }

    @Test
    void unwrapsToTheManagerPoolAndTheCacheMap() {
        CacheManager manager = provider.getCacheManager(dir.resolve("u.pool").toUri(), null);
        Cache<String, String> c = manager.createCache("c", new MutableConfiguration<>());
        c.put("k", "v");
        assertThat(manager.unwrap(PmemPool.class).path()).isEqualTo(dir.resolve("u.pool"));
        assertThat(c.unwrap(PmemMap.class).size()).isEqualTo(1);
        assertThatThrownBy(() -> c.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
        manager.close();
    }

    @Test
    void aUriThatIsNotAFileNamesAPoolInTheDirectory() {
        Properties p = new Properties();
        p.setProperty("pmem.jcache.directory", dir.toString());
        CacheManager manager = provider.getCacheManager(URI.create("urn:app:orders"), null, p);
        assertThat(manager.unwrap(PmemPool.class).path()).isEqualTo(dir.resolve("urn_app_orders.pool"));
        manager.close();
        Properties bad = new Properties();
        bad.setProperty("pmem.jcache.durability", "forever");
        assertThatThrownBy(
                        () -> provider.getCacheManager(dir.resolve("bad.pool").toUri(), null, bad))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("use 'sync' or 'process'");
    }
}
