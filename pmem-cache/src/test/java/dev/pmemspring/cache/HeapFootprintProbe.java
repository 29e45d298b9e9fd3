package dev.pmemspring.cache;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Path;

/**
 * Fills a cache (no heap tier, the default serializer) with N records in a small-heap JVM and
 * prints the heap in use after a full GC: run by {@link HeapFootprintTest}, and by hand for ten
 * million entries: {@code java -Xmx32m ... HeapFootprintProbe /dev/shm/probe.pool 10000000}. One
 * entry is put before the first measurement, so that what the serializer makes once (its
 * generated serializer for the record) is not counted as growth with the entries.
 */
public final class HeapFootprintProbe {

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int entries = Integer.parseInt(args[1]);
        long poolSize = Math.max(64L << 20, entries * 128L);
        PoolOptions options = PoolOptions.layout("probe").withSize(poolSize).withDurability(Durability.PROCESS);
        long start = System.nanoTime();
        try (PmemPool pool = PmemPool.openOrCreate(file, options)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .defaults(PmemCacheSettings.defaults()
                            .withSerializer(ForyValueSerializer.allowing("dev.pmemspring.cache.*")))
                    .build()
                    .getCache("probe");
            cache.put("warm-up", quote(-1));
            long before = usedAfterGc();
            for (int i = 0; i < entries; i++) {
                cache.put("key-" + i, quote(i));
            }
            long after = usedAfterGc();
            if (!quote(7).equals(cache.get("key-7", Quote.class))) {
                throw new AssertionError("entry missing");
            }
            System.out.printf(
                    "entries=%d heapBeforeMiB=%.1f heapAfterMiB=%.1f maxHeapMiB=%.1f poolBytes=%d seconds=%.1f%n",
                    cache.estimatedSize(),
                    before / 1048576.0,
                    after / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0,
                    cache.stats().bytes(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    private static Quote quote(int i) {
        return new Quote("Q" + i, BigDecimal.valueOf(i, 2));
    }

    private static long usedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
