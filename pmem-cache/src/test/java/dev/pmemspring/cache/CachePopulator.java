package dev.pmemspring.cache;

import dev.pmemspring.core.PmemPool;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link RestartSurvivalTest}: fills two caches, says READY, then keeps
 * overwriting quotes (printing each acknowledged version) until it is killed.
 */
public final class CachePopulator {

    static final int ENTRIES = 5_000;

    static PmemCacheManager manager(PmemPool pool) {
        PmemCacheSettings quotes =
                PmemCacheSettings.defaults().withSerializer(JdkValueSerializer.allowing("dev.pmemspring.cache.*"));
        return PmemCacheManager.builder(pool)
                .cache("quotes", quotes.withTimeToLive(Duration.ofHours(1)).withHeapTier(1000))
                .cache("brief", quotes.withTimeToLive(Duration.ofSeconds(3)))
                .build();
    }

    public static void main(String[] args) {
        PmemPool pool = PmemPool.openOrCreate(Path.of(args[0]), TestPools.options());
        PmemCacheManager manager = manager(pool);
        PmemCache quotes = manager.getCache("quotes");
        PmemCache brief = manager.getCache("brief");
        for (int i = 0; i < ENTRIES; i++) {
            quotes.put("Q" + i, new Quote("Q" + i, BigDecimal.valueOf(0)));
            brief.put(i, "brief " + i);
        }
        System.out.println("READY");
        System.out.flush();
        for (long version = 1; ; version++) {
            int i = (int) (version % ENTRIES);
            quotes.put("Q" + i, new Quote("Q" + i, BigDecimal.valueOf(version)));
            System.out.println(i + " " + version); // acknowledged: the put returned
        }
    }
}
