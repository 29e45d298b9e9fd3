package dev.pmemspring.cache;

import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers, evicters and readers race on a few keys through a small heap tier; afterwards the tier
 * must hold, for every key, exactly what the pool holds: never a value the pool has replaced or
 * removed.
 */
class HeapTierConsistencyTest {

    @TempDir
    Path dir;

    @RepeatedTest(3)
    void the_heap_tier_never_outlives_the_pool() throws Exception {
        int keys = 40;
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .cache("c", PmemCacheSettings.defaults().withHeapTier(keys / 2))
                    .build()
                    .getCache("c");
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 20_000; i++) {
                        int key = random.nextInt(keys);
                        switch (random.nextInt(5)) {
                            case 0 -> cache.put(key, id + ":" + i);
                            case 1 -> cache.evict(key);
                            case 2 -> cache.putIfAbsent(key, id + ":" + i);
                            default -> cache.get(key);
                        }
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            Map<Integer, Object> seenThroughTier = new HashMap<>();
            for (int k = 0; k < keys; k++) {
                var w = cache.get(k);
                seenThroughTier.put(k, w == null ? null : w.get());
            }
            cache.dropHeapTier();
            for (int k = 0; k < keys; k++) {
                var w = cache.get(k);
                assertThat(seenThroughTier.get(k)).as("key %d", k).isEqualTo(w == null ? null : w.get());
            }
        }
    }
}
