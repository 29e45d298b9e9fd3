package dev.pmemspring.cache;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.springframework.cache.Cache;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmemCacheManagerTest {

    @TempDir
    Path dir;

    private static final PmemCacheSettings QUOTES =
            PmemCacheSettings.defaults().withSerializer(JdkValueSerializer.allowing("dev.pmemspring.cache.*"));

    @Test
    void dynamic_manager_creates_caches_on_demand_and_finds_them_after_restart() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool).build();
            assertThat(manager.isDynamic()).isTrue();
            manager.getCache("a").put("k", "v");
            manager.getCache("b");
            assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("a", "b");
        }
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool).build();
            assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("a", "b");
            assertThat(manager.getCache("a").get("k", String.class)).isEqualTo("v");
        }
    }

    @Test
    void a_write_between_a_miss_and_its_stamp_is_read_not_overwritten_by_the_load() throws Exception {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool).build().getCache("c");
            // A writer that puts before its source changes lands after the lookup's pool read
            // missed and before the lookup read its stamp: the lookup must find its value, not
            // report a miss whose load (of the old source) would then overwrite it.
            cache.afterFirstMiss = () -> {
                cache.afterFirstMiss = null;
                Thread writer = Thread.ofPlatform().start(() -> cache.put("k", "written"));
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            };
            Cache.ValueWrapper found = cache.get("k");
            assertThat(found).as("the write in the window is a hit").isNotNull();
            assertThat(found.get()).isEqualTo("written");
            cache.put("k", "loaded from the old source"); // what a miss would have led to
            assertThat(cache.get("k").get())
                    .as("a put after a hit is a plain write")
                    .isEqualTo("loaded from the old source");
            assertThat(cache.stats().misses()).isZero();
        }
    }

    @Test
    void static_manager_knows_only_its_caches() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager =
                    PmemCacheManager.builder(pool).cacheNames(List.of("x", "y")).build();
            assertThat(manager.isDynamic()).isFalse();
            assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("x", "y");
            assertThat(manager.getCache("z")).isNull();
            PmemCacheManager both = PmemCacheManager.builder(pool)
                    .cacheNames(List.of("x"))
                    .dynamic(true)
                    .build();
            assertThat(both.getCache("z")).isNotNull();
        }
    }

    @Test
    void entries_and_their_deadlines_survive_a_restart() throws Exception {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool)
                    .cache("short", QUOTES.withTimeToLive(Duration.ofMillis(300)))
                    .cache("long", QUOTES.withTimeToLive(Duration.ofHours(1)))
                    .build();
            manager.getCache("short").put("k", new Quote("S", BigDecimal.ONE));
            manager.getCache("long").put("k", new Quote("L", BigDecimal.TEN));
        }
        Thread.sleep(400);
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool)
                    .cache("short", QUOTES.withTimeToLive(Duration.ofMillis(300)))
                    .cache("long", QUOTES.withTimeToLive(Duration.ofHours(1)))
                    .build();
            assertThat(manager.getCache("short").get("k")).isNull();
            assertThat(manager.getCache("long").get("k", Quote.class)).isEqualTo(new Quote("L", BigDecimal.TEN));
            PmemCacheStats stats = manager.getCache("long").stats();
            assertThat(stats.hits()).isEqualTo(1);
            assertThat(stats.puts()).isZero();
            assertThat(stats.size()).isEqualTo(1);
        }
    }

    @Test
    void time_to_idle_keeps_what_is_read_across_restarts_and_drops_what_is_not() throws Exception {
        // 3 s idle, 2 s pauses: past half of it, so a read moves the deadline (in the pool too, from
        // a hit in the heap tier as from one in the pool); one entry is read after the first pause,
        // the other never again, and the pool is reopened after the second
        for (int heap : new int[] {0, 10}) {
            Path file = dir.resolve("idle" + heap + ".pool");
            PmemCacheSettings idle =
                    QUOTES.withTimeToIdle(Duration.ofSeconds(3)).withHeapTier(heap);
            try (PmemPool pool = PmemPool.openOrCreate(file, TestPools.options())) {
                PmemCache cache = manager(pool, idle);
                cache.put("read", new Quote("R", BigDecimal.ONE));
                cache.put("idle", new Quote("I", BigDecimal.ONE));
                Thread.sleep(2_000);
                assertThat(cache.get("read", Quote.class)).isEqualTo(new Quote("R", BigDecimal.ONE));
            }
            Thread.sleep(2_000);
            try (PmemPool pool = PmemPool.openOrCreate(file, TestPools.options())) {
                PmemCache cache = manager(pool, idle);
                assertThat(cache.get("idle"))
                        .as("heap tier %d: not read for 4 s", heap)
                        .isNull();
                assertThat(cache.get("read", Quote.class))
                        .as("heap tier %d: read 2 s ago, after a restart", heap)
                        .isEqualTo(new Quote("R", BigDecimal.ONE));
            }
        }
    }

    @Test
    void time_to_idle_never_outlives_the_time_to_live() throws Exception {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = manager(
                    pool,
                    QUOTES.withTimeToIdle(Duration.ofSeconds(10))
                            .withTimeToLive(Duration.ofMillis(600))
                            .withHeapTier(10));
            cache.put("k", new Quote("K", BigDecimal.ONE));
            for (int i = 0; i < 3; i++) {
                assertThat(cache.get("k")).isNotNull();
                Thread.sleep(100);
            }
            Thread.sleep(500);
            assertThat(cache.get("k"))
                    .as("past its time-to-live, however often it was read")
                    .isNull();
        }
    }

    @Test
    void refresh_ahead_reloads_a_hit_near_its_deadline_in_the_background_once() throws Exception {
        for (int heap : new int[] {0, 10}) {
            try (PmemPool pool = PmemPool.openOrCreate(dir.resolve("refresh" + heap + ".pool"), TestPools.options())) {
                PmemCache cache = manager(
                        pool,
                        QUOTES.withTimeToLive(Duration.ofSeconds(4))
                                .withRefreshAhead(Duration.ofSeconds(3))
                                .withHeapTier(heap));
                AtomicInteger loads = new AtomicInteger();
                CountDownLatch release = new CountDownLatch(1);
                Callable<Quote> loader = () -> {
                    int n = loads.incrementAndGet();
                    if (n > 1) {
                        release.await();
                    }
                    return new Quote("v" + n, BigDecimal.ONE);
                };
                assertThat(cache.get("k", loader).symbol()).isEqualTo("v1");
                assertThat(cache.get("k", loader).symbol())
                        .as("4 s left: outside the window")
                        .isEqualTo("v1");
                Thread.sleep(1_200); // under 3 s left
                for (int i = 0; i < 20; i++) {
                    assertThat(cache.get("k", loader).symbol())
                            .as("served at once while the reload runs")
                            .isEqualTo("v1");
                }
                release.countDown();
                awaitTrue(() -> "v2".equals(cache.get("k", Quote.class).symbol()), "the reload was stored");
                assertThat(loads.get()).as("one reload for twenty hits").isEqualTo(2);
                awaitTrue(() -> cache.stats().refreshes() == 1, "counted once stored"); // after the store returns
                Thread.sleep(3_000); // past v1's deadline: v2 got a deadline of its own
                assertThat(cache.get("k", Quote.class).symbol()).isEqualTo("v2");
            }
        }
    }

    @Test
    void refresh_ahead_loses_to_a_write_made_while_it_loads_and_a_failure_keeps_the_entry() throws Exception {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache =
                    manager(pool, QUOTES.withTimeToLive(Duration.ofSeconds(2)).withRefreshAhead(Duration.ofSeconds(3)));
            cache.put("k", new Quote("old", BigDecimal.ONE));
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            assertThat(cache.get("k", () -> {
                                started.countDown();
                                release.await();
                                return new Quote("reloaded", BigDecimal.ONE);
                            })
                            .symbol())
                    .isEqualTo("old");
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            cache.put("k", new Quote("written", BigDecimal.ONE)); // while the reload is at the back end
            release.countDown();
            awaitTrue(() -> cache.stats().discardedLoads() == 1, "the reload was discarded");
            assertThat(cache.get("k", Quote.class).symbol()).isEqualTo("written");
            assertThat(cache.stats().refreshes())
                    .as("a discarded reload is not a refresh")
                    .isZero();

            AtomicInteger failed = new AtomicInteger();
            Callable<Quote> failing = () -> {
                failed.incrementAndGet();
                throw new IllegalStateException("back end down");
            };
            awaitTrue(() -> "written".equals(cache.get("k", failing).symbol()) && failed.get() > 0, "a reload failed");
            assertThat(cache.get("k", Quote.class).symbol())
                    .as("a failed reload keeps the entry")
                    .isEqualTo("written");
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static PmemCache manager(PmemPool pool, PmemCacheSettings settings) {
        return PmemCacheManager.builder(pool).cache("c", settings).build().getCache("c");
    }

    @Test
    void expiry_function_decides_per_entry_and_the_heap_tier_honours_it() throws Exception {
        CacheExpiry expiry = (key, value) -> "brief".equals(key) ? Duration.ofMillis(100) : Duration.ZERO;
        for (int heap : new int[] {0, 10}) {
            try (PmemPool pool = PmemPool.openOrCreate(dir.resolve("expiry" + heap + ".pool"), TestPools.options())) {
                PmemCache cache = PmemCacheManager.builder(pool)
                        .cache(
                                "c",
                                PmemCacheSettings.defaults().withExpiry(expiry).withHeapTier(heap))
                        .build()
                        .getCache("c");
                cache.put("brief", "1");
                cache.put("forever", "2");
                assertThat(cache.get("brief")).isNotNull();
                Thread.sleep(150);
                assertThat(cache.get("brief")).as("heap tier %d", heap).isNull();
                assertThat(cache.get("forever", String.class)).isEqualTo("2");
            }
        }
    }

    @Test
    void maximum_entries_evicts_least_recently_read() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .cache("bounded", PmemCacheSettings.defaults().withMaximumEntries(100))
                    .build()
                    .getCache("bounded");
            for (int i = 0; i < 1000; i++) {
                cache.put(i, "value " + i);
            }
            assertThat(cache.estimatedSize()).isLessThanOrEqualTo(100);
            assertThat(cache.stats().evictions()).isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void maximum_bytes_bounds_the_pool_space() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .cache("bytes", PmemCacheSettings.defaults().withMaximumBytes(64 * 1024))
                    .build()
                    .getCache("bytes");
            for (int i = 0; i < 1000; i++) {
                cache.put(i, new byte[500]);
            }
            assertThat(cache.stats().bytes()).isLessThanOrEqualTo(64 * 1024);
            assertThat(cache.estimatedSize()).isGreaterThan(50);
        }
    }

    @Test
    void a_smaller_bound_applies_on_restart() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool).build().getCache("c");
            for (int i = 0; i < 500; i++) {
                cache.put(i, "v");
            }
        }
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .cache("c", PmemCacheSettings.defaults().withMaximumEntries(50))
                    .build()
                    .getCache("c");
            assertThat(cache.estimatedSize()).isLessThanOrEqualTo(50);
        }
    }

    @Test
    void a_changed_serializer_starts_the_cache_empty() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager.builder(pool)
                    .cache("c", QUOTES)
                    .build()
                    .getCache("c")
                    .put("k", new Quote("A", BigDecimal.ONE));
        }
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .cache("c", QUOTES.withSerializer(JsonValueSerializer.allowing("dev.pmemspring.cache.*")))
                    .build()
                    .getCache("c");
            assertThat(cache.estimatedSize()).isZero();
            cache.put("k", new Quote("B", BigDecimal.TWO));
            assertThat(cache.get("k", Quote.class)).isEqualTo(new Quote("B", BigDecimal.TWO));
        }
    }

    @Test
    void a_full_pool_evicts_instead_of_failing_the_put() {
        Path file = dir.resolve("small.pool");
        PoolOptions small = PoolOptions.layout("cache-test").withSize(8L << 20).withDurability(Durability.PROCESS);
        try (PmemPool pool = PmemPool.openOrCreate(file, small)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool).build();
            PmemCache other = manager.getCache("other");
            for (int i = 0; i < 200; i++) {
                other.put(i, new byte[4000]);
            }
            PmemCache cache = manager.getCache("big");
            for (int i = 0; i < 20_000; i++) {
                cache.put(i, new byte[1000]); // ~20 MB through an 8 MiB pool
            }
            assertThat(cache.get(19_999)).isNotNull();
            assertThat(cache.stats().evictions() + other.stats().evictions()).isPositive();
            assertThat(cache.stats().rejectedPuts()).isZero();
            assertThat(pool.check().clean()).isTrue();
        }
    }

    @Test
    void an_oversized_value_is_not_cached_and_the_old_one_is_gone() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .cache(
                            "c",
                            PmemCacheSettings.defaults()
                                    .withMaximumValueBytes(1000)
                                    .withHeapTier(10))
                    .build()
                    .getCache("c");
            cache.put("k", "small");
            cache.put("k", "x".repeat(5000));
            assertThat(cache.get("k")).isNull();
            assertThat(cache.putIfAbsent("k", "y".repeat(5000))).isNull();
            assertThat(cache.get("k")).isNull();
            assertThat(cache.stats().rejectedPuts()).isEqualTo(2);
        }
    }

    @Test
    void long_cache_names_get_distinct_pool_maps() {
        String a = "com.example.catalogue.ProductService.findProductsByCategoryAndRegion";
        String b = "com.example.catalogue.ProductService.findProductsByCategoryAndSeason";
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool).build();
            manager.getCache(a).put("k", "a");
            manager.getCache(b).put("k", "b");
            assertThat(manager.getCache(a).get("k", String.class)).isEqualTo("a");
            assertThat(manager.getCache(b).get("k", String.class)).isEqualTo("b");
        }
        try (PmemPool pool = TestPools.open(dir)) {
            assertThat(PmemCacheManager.builder(pool).build().getCacheNames()).contains(a, b);
        }
    }

    @Test
    void reset_empties_and_drop_removes() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool).build();
            manager.getCache("a").put("k", "v");
            manager.resetCaches();
            assertThat(manager.getCache("a").get("k")).isNull();
            manager.dropCache("a");
            assertThat(manager.getCacheNames()).doesNotContain("a");
            assertThat(pool.mapNames()).doesNotContain("cache/a");
        }
        try (PmemPool pool = TestPools.open(dir)) {
            assertThat(PmemCacheManager.builder(pool).build().getCacheNames()).doesNotContain("a");
        }
    }

    @Test
    void more_caches_than_the_pool_holds_are_refused_with_a_message() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager = PmemCacheManager.builder(pool).build();
            for (int i = 0; i < 63; i++) {
                manager.getCache("c" + i);
            }
            assertThatThrownBy(() -> manager.getCache("one-too-many"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot open cache 'one-too-many'")
                    .hasMessageContaining("at most 64 maps");
        }
    }

    @Test
    void fixed_caches_cannot_be_dropped() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager =
                    PmemCacheManager.builder(pool).cacheNames(List.of("fixed")).build();
            assertThatThrownBy(() -> manager.dropCache("fixed"))
                    .hasMessageContaining("remove it from the configuration");
        }
    }

    @Test
    void values_are_read_through_the_application_class_loader() throws Exception {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCacheManager manager =
                    PmemCacheManager.builder(pool).cache("c", QUOTES).build();
            manager.getCache("c").put("k", new Quote("A", BigDecimal.ONE));
            ClassLoader restarted = new QuoteReloadingLoader(getClass().getClassLoader());
            manager.setBeanClassLoader(restarted); // as a devtools restart gives the new context
            Object value = manager.getCache("c").get("k").get();
            assertThat(value.getClass().getName()).isEqualTo(Quote.class.getName());
            assertThat(value.getClass().getClassLoader()).isSameAs(restarted);
        }
    }

    /** Defines its own copy of {@link Quote}, as a devtools restart class loader does. */
    private static final class QuoteReloadingLoader extends ClassLoader {
        QuoteReloadingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(Quote.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }
}
