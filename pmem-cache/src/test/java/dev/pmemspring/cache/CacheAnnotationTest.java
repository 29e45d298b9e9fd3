package dev.pmemspring.cache;

import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Spring's caching annotations on a plain Spring context (no Boot), backed by the pool. */
class CacheAnnotationTest {

    @TempDir
    Path dir;

    static PmemPool pool;
    AnnotationConfigApplicationContext context;
    QuoteService service;

    @BeforeEach
    void start() {
        pool = TestPools.open(dir);
        context = new AnnotationConfigApplicationContext(Config.class);
        service = context.getBean(QuoteService.class);
    }

    @AfterEach
    void stop() {
        context.close();
        pool.close();
    }

    @Configuration
    @EnableCaching
    static class Config {
        @Bean
        CacheManager cacheManager() {
            return PmemCacheManager.builder(pool)
                    .defaults(PmemCacheSettings.defaults()
                            .withSerializer(JdkValueSerializer.allowing("dev.pmemspring.cache.*")))
                    .build();
        }

        @Bean
        QuoteService quoteService() {
            return new QuoteService();
        }
    }

    static class QuoteService {
        final AtomicInteger backendCalls = new AtomicInteger();

        public int calls() { // through a method: the caching proxy has fields of its own
            return backendCalls.get();
        }

        @Cacheable("quotes")
        public Quote quote(String symbol) {
            backendCalls.incrementAndGet();
            return new Quote(symbol, new BigDecimal(symbol.length()));
        }

        @Cacheable("quotes")
        public Quote missing(String symbol, int day) {
            backendCalls.incrementAndGet();
            return null;
        }

        @Cacheable(cacheNames = "slow", sync = true)
        public String slow(String key) throws InterruptedException {
            backendCalls.incrementAndGet();
            Thread.sleep(100);
            return key.toUpperCase();
        }

        @Cacheable("async")
        public CompletableFuture<Quote> async(String symbol) {
            backendCalls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> new Quote(symbol, BigDecimal.TEN));
        }

        @CachePut(cacheNames = "quotes", key = "#quote.symbol")
        public Quote update(Quote quote) {
            return quote;
        }

        @CacheEvict("quotes")
        public void delist(String symbol) {}

        @CacheEvict(cacheNames = "quotes", allEntries = true)
        public void delistAll() {}
    }

    @Test
    void cacheable_calls_the_backend_once() {
        Quote first = service.quote("ACME");
        Quote second = service.quote("ACME");
        assertThat(second).isEqualTo(first);
        assertThat(service.calls()).isEqualTo(1);
        assertThat(((PmemCache) context.getBean(CacheManager.class).getCache("quotes"))
                        .stats()
                        .hits())
                .isEqualTo(1);
    }

    @Test
    void null_results_are_cached_too() {
        assertThat(service.missing("NONE", 1)).isNull();
        assertThat(service.missing("NONE", 1)).isNull();
        assertThat(service.calls()).isEqualTo(1);
    }

    @Test
    void cache_put_replaces_and_cache_evict_removes() {
        service.quote("ACME");
        Quote changed = new Quote("ACME", new BigDecimal("99.9"));
        service.update(changed);
        assertThat(service.quote("ACME")).isEqualTo(changed);
        service.delist("ACME");
        service.quote("ACME");
        assertThat(service.calls()).isEqualTo(2);
        service.delistAll();
        service.quote("ACME");
        assertThat(service.calls()).isEqualTo(3);
    }

    @Test
    void sync_cacheable_loads_once_under_concurrency() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        try {
            java.util.List<Future<String>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                results.add(threads.submit(() -> {
                    go.await();
                    return service.slow("key");
                }));
            }
            go.countDown();
            for (Future<String> r : results) {
                assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("KEY");
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(service.calls()).isEqualTo(1);
    }

    @Test
    void completable_future_results_are_cached() {
        Quote first = service.async("ACME").join();
        Quote second = service.async("ACME").join();
        assertThat(second).isEqualTo(first);
        assertThat(service.calls()).isEqualTo(1);
    }
}
