package dev.pmemspring.boot.autoconfigure.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.cache.PmemCacheAutoConfiguration;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.support.NoOpCacheManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pmem.pool.temporary}: each test context gets a pool of its own, which Spring's test
 * context cache can keep open beside another's; a context that switched caching off opens none.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class TemporaryPoolTests {

    /** The pools the cached contexts opened, in order. */
    static final List<PmemPool> POOLS = new ArrayList<>();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableCaching
    static class App {}

    @Nested
    @Order(1)
    @SpringBootTest(
            classes = App.class,
            properties = {"pmem.pool.temporary=true", "management.health.redis.enabled=false"})
    class FirstContext {

        @Autowired
        PmemPool pool;

        @Autowired
        CacheManager caches;

        @Test
        void hasAPoolOfItsOwn() {
            assertThat(caches).isInstanceOf(PmemCacheManager.class);
            caches.getCache("quotes").put("ACME", "12.50");
            POOLS.add(pool);
        }
    }

    @Nested
    @Order(2)
    @SpringBootTest(
            classes = App.class,
            properties = {
                "pmem.pool.temporary=true",
                "pmem.cache.cache-names=other", // another context, which the cache keeps beside the first
                "management.health.redis.enabled=false"
            })
    class SecondContext {

        @Autowired
        PmemPool pool;

        @Autowired
        CacheManager caches;

        @Test
        void opensBesideTheFirstWhichStaysOpen() {
            assertThat(POOLS).as("the first context ran").hasSize(1);
            PmemPool first = POOLS.getFirst();
            assertThat(first.isClosed())
                    .as("the first context is still cached, with its pool")
                    .isFalse();
            assertThat(pool.path()).isNotEqualTo(first.path());
            assertThat(caches.getCache("other")).isNotNull();
            assertThat(caches.getCache("quotes"))
                    .as("a fixed list: the first context's cache is not here")
                    .isNull();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    PmemPoolAutoConfiguration.class, PmemCacheAutoConfiguration.class, CacheAutoConfiguration.class))
            .withUserConfiguration(Caching.class)
            .withPropertyValues("pmem.pool.temporary=true");

    @EnableCaching
    static class Caching {}

    @Test
    void isDeletedWithItsFolderWhenTheContextCloses() {
        Path[] file = new Path[1];
        runner.run(context -> {
            PmemPool pool = context.getBean(PmemPool.class);
            file[0] = pool.path();
            assertThat(file[0]).exists();
            assertThat(pool.durability()).isEqualTo(dev.pmemspring.core.Durability.PROCESS);
        });
        assertThat(file[0]).doesNotExist();
        assertThat(Files.exists(file[0].getParent())).as("its folder").isFalse();
    }

    @Test
    void isNotOpenedWhenCachingIsSwitchedOff() {
        // what @AutoConfigureCache sets
        runner.withPropertyValues("spring.cache.type=none").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(PmemPool.class);
            assertThat(context.getBean(CacheManager.class)).isInstanceOf(NoOpCacheManager.class);
        });
    }

    @Test
    void aPoolAtAPathIsOpenedWhateverTheCacheType(@org.junit.jupiter.api.io.TempDir Path dir) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withPropertyValues("spring.cache.type=none", "pmem.pool.path=" + dir.resolve("data.pool"))
                .run(context -> assertThat(context).hasSingleBean(PmemPool.class));
    }
}
