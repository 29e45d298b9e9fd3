package dev.pmemspring.cache;

import dev.pmemspring.cache.internal.KeyEncoder;
import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers, evicters, loaders, readers, clears and other instances' invalidations race on a few keys
 * through a small heap tier; afterwards the tier must hold, for every key, exactly what the pool
 * holds: never a value the pool has replaced or removed.
 */
class HeapTierConsistencyTest {

    @TempDir
    Path dir;

    @Test
    void the_heap_tier_never_outlives_the_pool() throws Exception {
        int keys = 40;
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .cache(
                            "c",
                            PmemCacheSettings.defaults()
                                    .withHeapTier(keys / 2)
                                    .withSerializer(
                                            new SlowReads(JdkValueSerializer.allowing("dev.pmemspring.cache.*"))))
                    .build()
                    .getCache("c");
            // short rounds, each checked: a stale node must be caught before a later write hides it
            for (int round = 0; round < 600; round++) {
                race(cache, keys, round);
                Map<Integer, Object> seenThroughTier = new HashMap<>();
                for (int k = 0; k < keys; k++) {
                    var w = cache.get(k);
                    seenThroughTier.put(k, w == null ? null : w.get());
                }
                cache.dropHeapTier();
                for (int k = 0; k < keys; k++) {
                    var w = cache.get(k);
                    assertThat(seenThroughTier.get(k))
                            .as("round %d, key %d", round, k)
                            .isEqualTo(w == null ? null : w.get());
                }
            }
        }
    }

    private static void race(PmemCache cache, int keys, int round) throws InterruptedException {
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
                for (int i = 0; i < 200; i++) {
                    int key = random.nextInt(keys);
                    Quote value = new Quote(round + ":" + id + ":" + i, BigDecimal.ONE);
                    switch (random.nextInt(100)) {
                        case 0 -> cache.clear();
                        case 1 -> cache.clearStored(); // another instance cleared it
                        default -> {
                            switch (random.nextInt(7)) {
                                case 0 -> cache.put(key, value);
                                case 1 -> cache.evict(key);
                                case 2 -> cache.putIfAbsent(key, value);
                                case 3 -> cache.invalidateStored(KeyEncoder.encode(key)); // a peer wrote it
                                case 4 -> cache.get(key, () -> value); // loads on a miss
                                default -> cache.get(key);
                            }
                        }
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * Reads that sometimes pause after the pool was read, before the value reaches the tier: the
     * window in which a writer, an invalidation or a clear must keep a stale fill out.
     */
    private record SlowReads(ValueSerializer inner) implements ValueSerializer {
        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public byte[] serialize(Object value) {
            return inner.serialize(value);
        }

        @Override
        public Object deserialize(byte[] bytes, ClassLoader classLoader) throws Exception {
            Object value = inner.deserialize(bytes, classLoader);
            if (ThreadLocalRandom.current().nextInt(8) == 0) {
                LockSupport.parkNanos(20_000);
            }
            return value;
        }

        @Override
        public boolean allows(Class<?> type) {
            return inner.allows(type);
        }
    }
}
