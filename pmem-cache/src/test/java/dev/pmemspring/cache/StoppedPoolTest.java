package dev.pmemspring.cache;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.core.testing.FailingWriteBacks;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.cache.Cache;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cache whose pool stopped taking changes (its storage failed a write-back once) serves no value:
 * the put or eviction that failed, and every one after it, is refused, so what the pool and the
 * heap tier still hold may be older than the application's data.
 */
class StoppedPoolTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "heap tier of {0} entries")
    @ValueSource(ints = {0, 100})
    void aStoppedPoolsCacheServesNoOlderValue(int heapTier) {
        FailingWriteBacks storage = new FailingWriteBacks();
        PoolOptions options =
                PoolOptions.layout("cache-stop").withSize(TestPools.SIZE).withDurability(Durability.SYNC);
        PmemPool pool = storage.opening(() -> PmemPool.create(dir.resolve("stop.pool"), options));
        try (pool) {
            Cache cache = PmemCacheManager.builder(pool)
                    .cache("prices", PmemCacheSettings.defaults().withHeapTier(heapTier))
                    .dynamic(false)
                    .build()
                    .getCache("prices");
            cache.put("k", "old");
            cache.put("other", "kept");
            assertThat(cache.get("k", String.class)).isEqualTo("old");

            storage.failNext(); // the next write-back fails, once; the storage takes writes again after
            assertThatThrownBy(() -> cache.put("k", "new")).isInstanceOf(PoolStoppedException.class);
            assertThat(pool.isStopped()).isTrue();

            // Neither the old value (the put of the new one failed) nor any other is served.
            assertThat(cache.get("k")).isNull();
            assertThat(cache.get("other")).isNull();
            assertThatThrownBy(() -> cache.evict("other")).isInstanceOf(PoolStoppedException.class);
            assertThatThrownBy(() -> cache.putIfAbsent("other", "x")).isInstanceOf(PoolStoppedException.class);
            assertThat(cache.retrieve("other")).isNull();
            assertThat(cache.retrieve("k", () -> java.util.concurrent.CompletableFuture.completedFuture("async"))
                            .join())
                    .isEqualTo("async");
            // A load runs as without a cache, and its caller gets the value.
            assertThat(cache.get("k", () -> "loaded")).isEqualTo("loaded");
            assertThat(cache.get("k")).isNull();
        }
        // An open and clean close that empties no cache (the check tool's) leaves the stop recorded.
        try (PmemPool checked = PmemPool.open(dir.resolve("stop.pool"), options)) {
            assertThat(checked.check().problems()).isEmpty();
        }
        // After the restart the refused put and eviction are still unknown: the caches start empty.
        try (PmemPool reopened = PmemPool.open(dir.resolve("stop.pool"), options)) {
            assertThat(reopened.stopMarked()).isTrue();
            Cache cache = PmemCacheManager.builder(reopened)
                    .cache("prices", PmemCacheSettings.defaults().withHeapTier(heapTier))
                    .dynamic(false)
                    .build()
                    .getCache("prices");
            assertThat(cache.get("k")).isNull();
            assertThat(cache.get("other")).isNull();
            cache.put("k", "fresh");
            assertThat(cache.get("k", String.class)).isEqualTo("fresh");
            assertThat(reopened.stopMarked()).isFalse(); // acknowledged once the caches were empty
        }
        try (PmemPool again = PmemPool.open(dir.resolve("stop.pool"), options)) {
            Cache cache = PmemCacheManager.builder(again)
                    .cache("prices", PmemCacheSettings.defaults().withHeapTier(heapTier))
                    .dynamic(false)
                    .build()
                    .getCache("prices");
            assertThat(cache.get("k", String.class)).isEqualTo("fresh"); // warm again
        }
    }
}
