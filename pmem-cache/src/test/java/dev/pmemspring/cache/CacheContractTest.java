package dev.pmemspring.cache;

import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.SimpleKey;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Spring's cache contract, case by case as Spring's own conformance tests state it, run against
 * the pool alone (with Fory, the default serializer), with Java serialization and a heap tier in
 * front, and with a tier bounded by size.
 */
class CacheContractTest {

    @Nested
    class PoolOnly extends Contract {
        PoolOnly() {
            super(PmemCacheSettings.defaults().withSerializer(ForyValueSerializer.allowing("dev.pmemspring.cache.*")));
        }
    }

    @Nested
    class JdkWithHeapTier extends Contract {
        JdkWithHeapTier() {
            super(PmemCacheSettings.defaults()
                    .withHeapTier(100)
                    .withSerializer(JdkValueSerializer.allowing("dev.pmemspring.cache.*")));
        }
    }

    @Nested
    class ForyWithHeapTierByBytes extends Contract {
        ForyWithHeapTierByBytes() {
            super(PmemCacheSettings.defaults()
                    .withHeapTierBytes(64 * 1024)
                    .withSerializer(ForyValueSerializer.allowing("dev.pmemspring.cache.*")));
        }
    }

    abstract static class Contract {
        private final PmemCacheSettings settings;

        @TempDir
        Path dir;

        PmemPool pool;
        PmemCacheManager manager;
        PmemCache cache;
        PmemCache noNulls;

        Contract(PmemCacheSettings settings) {
            this.settings = settings;
        }

        @BeforeEach
        void open() {
            pool = TestPools.open(dir);
            manager = PmemCacheManager.builder(pool)
                    .cache("testCache", settings)
                    .cache("noNulls", settings.withNullValues(false))
                    .build();
            cache = manager.getCache("testCache");
            noNulls = manager.getCache("noNulls");
        }

        @AfterEach
        void close() {
            pool.close();
        }

        private static String key() {
            return UUID.randomUUID().toString();
        }

        @Test
        void name_and_native_cache() {
            assertThat(cache.getName()).isEqualTo("testCache");
            assertThat(cache.getNativeCache()).isSameAs(pool.map("cache/testCache"));
        }

        @Test
        void put_then_get() {
            String key = key();
            assertThat(cache.get(key)).isNull();
            Quote value = new Quote("ACME", new BigDecimal("12.50"));
            cache.put(key, value);
            assertThat(cache.get(key).get()).isEqualTo(value);
            assertThat(cache.get(key, Quote.class)).isEqualTo(value);
        }

        @Test
        void put_replaces() {
            String key = key();
            cache.put(key, "one");
            cache.put(key, "two");
            assertThat(cache.get(key, String.class)).isEqualTo("two");
        }

        @Test
        void get_with_wrong_type_fails_as_spring_says() {
            String key = key();
            cache.put(key, "a string");
            assertThatThrownBy(() -> cache.get(key, Long.class))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is not of required type");
        }

        @Test
        void null_values_are_cached_when_allowed() {
            String key = key();
            cache.put(key, null);
            Cache.ValueWrapper wrapper = cache.get(key);
            assertThat(wrapper).isNotNull();
            assertThat(wrapper.get()).isNull();
            assertThat(cache.get(key, String.class)).isNull();
        }

        @Test
        void null_values_are_refused_with_springs_message_when_not_allowed() {
            assertThatThrownBy(() -> noNulls.put(key(), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(
                            "Cache 'noNulls' is configured to not allow null values but null was provided");
        }

        @Test
        void keys_of_all_kinds() {
            cache.put(42, "int");
            cache.put(42L, "long");
            cache.put(new SimpleKey("a", 1), "simple");
            cache.put(SimpleKey.EMPTY, "empty");
            cache.put(new Quote("K", BigDecimal.ONE), "record key");
            assertThat(cache.get(42, String.class)).isEqualTo("int");
            assertThat(cache.get(42L, String.class)).isEqualTo("long");
            assertThat(cache.get(new SimpleKey("a", 1), String.class)).isEqualTo("simple");
            assertThat(cache.get(new SimpleKey("a", 2))).isNull();
            assertThat(cache.get(SimpleKey.EMPTY, String.class)).isEqualTo("empty");
            assertThat(cache.get(new Quote("K", BigDecimal.ONE), String.class)).isEqualTo("record key");
            assertThatThrownBy(() -> cache.put(new Object(), "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("as a cache key");
        }

        @Test
        void values_of_common_types_round_trip() {
            Object[] values = {
                "s",
                1,
                2L,
                3.5,
                true,
                new byte[] {1, 2},
                new BigDecimal("1.10"),
                java.util.List.of("a", "b"),
                java.time.Instant.ofEpochSecond(7)
            };
            for (Object v : values) {
                String key = key();
                cache.put(key, v);
                assertThat(cache.get(key).get()).isEqualTo(v);
            }
        }

        @Test
        void put_if_absent() {
            String key = key();
            assertThat(cache.putIfAbsent(key, "first")).isNull();
            Cache.ValueWrapper present = cache.putIfAbsent(key, "second");
            assertThat(present).isNotNull();
            assertThat(present.get()).isEqualTo("first");
            assertThat(cache.get(key, String.class)).isEqualTo("first");
        }

        @Test
        void evict_and_evict_if_present() {
            String key = key();
            cache.put(key, "v");
            cache.evict(key);
            assertThat(cache.get(key)).isNull();
            cache.put(key, "v");
            assertThat(cache.evictIfPresent(key)).isTrue();
            assertThat(cache.evictIfPresent(key)).isFalse();
        }

        @Test
        void clear_and_invalidate() {
            cache.put("a", "1");
            cache.put("b", "2");
            cache.clear();
            assertThat(cache.get("a")).isNull();
            assertThat(cache.get("b")).isNull();
            assertThat(cache.invalidate()).isFalse();
            cache.put("c", "3");
            assertThat(cache.invalidate()).isTrue();
            assertThat(cache.get("c")).isNull();
        }

        @Test
        void get_with_loader_stores_the_loaded_value() {
            String key = key();
            assertThat(cache.get(key, () -> "loaded")).isEqualTo("loaded");
            assertThat(cache.get(key, () -> "again")).isEqualTo("loaded");
            Object loadedNull = cache.get(key(), () -> null);
            assertThat(loadedNull).isNull();
        }

        @Test
        void a_load_that_a_write_overtook_is_returned_but_not_stored() throws Exception {
            // @Cacheable without sync: a miss, the method, a put; another thread writes in between
            String key = key();
            assertThat(cache.get(key)).isNull();
            inAnotherThread(() -> cache.put(key, "written"));
            cache.put(key, "loaded before the write");
            assertThat(cache.get(key).get()).isEqualTo("written");

            // @Cacheable(sync = true): the write comes while the loader runs
            String other = key();
            assertThat(cache.get(other, () -> {
                        inAnotherThread(() -> cache.put(other, "written"));
                        return "loaded before the write";
                    }))
                    .isEqualTo("loaded before the write");
            assertThat(cache.get(other).get()).isEqualTo("written");

            // and an eviction while it loads: the load is not stored either
            String evicted = key();
            cache.put(evicted, "old");
            cache.evict(evicted);
            assertThat(cache.get(evicted)).isNull();
            inAnotherThread(() -> cache.evict(evicted));
            cache.put(evicted, "loaded before the eviction");
            assertThat(cache.get(evicted)).isNull();
            assertThat(cache.stats().discardedLoads()).isEqualTo(3);

            // with nothing in between, a load is stored
            String quiet = key();
            assertThat(cache.get(quiet)).isNull();
            cache.put(quiet, "loaded");
            assertThat(cache.get(quiet).get()).isEqualTo("loaded");
            assertThat(cache.stats().discardedLoads()).isEqualTo(3);
        }

        private static void inAnotherThread(Runnable write) {
            try {
                Thread t = Thread.ofPlatform().start(write);
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        @Test
        void loader_failure_is_wrapped() {
            String key = key();
            assertThatExceptionOfType(Cache.ValueRetrievalException.class)
                    .isThrownBy(() -> cache.get(key, () -> {
                        throw new UnsupportedOperationException("expected");
                    }))
                    .withCauseInstanceOf(UnsupportedOperationException.class);
            assertThat(cache.get(key)).isNull();
        }

        @Test
        void loader_runs_once_under_ten_concurrent_threads() throws Exception {
            String key = key();
            AtomicInteger calls = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService threads = Executors.newFixedThreadPool(10);
            try {
                java.util.List<Future<Object>> results = new java.util.ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    results.add(threads.submit(() -> {
                        start.await();
                        return cache.get(key, () -> {
                            calls.incrementAndGet();
                            Thread.sleep(50);
                            return "loaded once";
                        });
                    }));
                }
                start.countDown();
                for (Future<Object> f : results) {
                    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("loaded once");
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(calls).hasValue(1);
        }

        @Test
        void recursive_load_of_the_same_key_is_refused() {
            String key = key();
            assertThatExceptionOfType(Cache.ValueRetrievalException.class)
                    .isThrownBy(() -> cache.get(key, () -> cache.get(key, () -> "inner")))
                    .havingCause()
                    .isInstanceOf(IllegalStateException.class)
                    .withMessageContaining("recursive load");
        }

        @Test
        void retrieve_answers_present_values_and_null_for_absent_ones() {
            String key = key();
            assertThat(cache.retrieve(key)).isNull();
            cache.put(key, "v");
            CompletableFuture<?> future = cache.retrieve(key);
            assertThat(future).isNotNull();
            assertThat(((Cache.ValueWrapper) future.join()).get()).isEqualTo("v");
            noNulls.put(key, "w");
            assertThat(noNulls.retrieve(key).join()).isEqualTo("w");
        }

        @Test
        void retrieve_with_loader_loads_once_and_stores() {
            String key = key();
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<String> pending = new CompletableFuture<>();
            CompletableFuture<String> first = cache.retrieve(key, () -> {
                calls.incrementAndGet();
                return pending;
            });
            CompletableFuture<String> second = cache.retrieve(key, () -> {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture("other");
            });
            pending.complete("async");
            assertThat(first.join()).isEqualTo("async");
            assertThat(second.join()).isEqualTo("async");
            assertThat(calls).hasValue(1);
            assertThat(cache.get(key, String.class)).isEqualTo("async");
            assertThat(cache.retrieve(key, () -> CompletableFuture.completedFuture("ignored"))
                            .join())
                    .isEqualTo("async");
        }

        @Test
        void retrieve_with_failing_loader_fails_the_future_and_caches_nothing() {
            String key = key();
            CompletableFuture<String> failed =
                    cache.retrieve(key, () -> CompletableFuture.failedFuture(new IllegalStateException("down")));
            assertThat(failed).isCompletedExceptionally();
            assertThat(cache.get(key)).isNull();
        }

        @Test
        void statistics_count_what_happened() {
            cache.put("a", "1");
            cache.get("a");
            cache.get("missing");
            cache.evict("a");
            PmemCacheStats stats = cache.stats();
            assertThat(stats.puts()).isEqualTo(1);
            assertThat(stats.hits()).isEqualTo(1);
            assertThat(stats.misses()).isEqualTo(1);
            assertThat(stats.removals()).isEqualTo(1);
            assertThat(stats.size()).isZero();
            assertThat(stats.hitRate()).isEqualTo(0.5);
        }
    }
}
