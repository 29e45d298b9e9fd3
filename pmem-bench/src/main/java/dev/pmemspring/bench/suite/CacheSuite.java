package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.CacheBenchmark;
import dev.pmemspring.bench.SerializationBenchmark;
import dev.pmemspring.bench.suite.report.CacheReport;
import dev.pmemspring.bench.suite.report.SuiteResults;

import java.util.ArrayList;
import java.util.List;

/**
 * The Spring cache provider against its peers through Spring's {@code Cache} interface: Caffeine,
 * a ConcurrentMap, Ehcache's off-heap tier and its persistent disk tier, and Redis (a private
 * server the runner starts; left out with a warning when none can be started), at one and two
 * threads, with the allocation per operation; the extras (heap tiers of 1 % and 10 % of the entries, Redis's fire-and-forget
 * puts); and the serialization floor, against Kryo.
 */
final class CacheSuite implements Suite {

    /** Ours with the default serializer (Fory) and with Java serialization; a heap tier as large as the data. */
    static final List<String> STORES = List.of(
            "pmem-fory", "pmem", "pmem-fory-heap", "caffeine", "concurrent-map", "ehcache-offheap", "ehcache-disk");

    /** Heap tiers much smaller than the data, as a user runs them, with Fory and with Java serialization. */
    static final List<String> SMALL_TIERS = List.of("pmem-fory-heap-1pct", "pmem-fory-heap-10pct", "pmem-heap-10pct");

    static final List<String> OPS = List.of("getHit", "getHitAndRead", "getMiss", "put", "mix");
    static final String ENTRIES = "100000";

    @Override
    public String name() {
        return "cache";
    }

    @Override
    public String title() {
        return "Spring cache against Caffeine, Ehcache and Redis";
    }

    @Override
    public String description() {
        return "PmemCacheManager against Caffeine, ConcurrentMap, Ehcache's off-heap and disk tiers and Redis;"
                + " serialization";
    }

    @Override
    public RedisNeed redis() {
        return RedisNeed.OPTIONAL;
    }

    /**
     * Caffeine's own figures move by half between runs of the same hour on a 2-vCPU VM, so a ratio
     * to it from one run is rough: in rounds each store gets a fork per round, one round after the
     * other, and the report gives each target's ratio per round and their median.
     */
    @Override
    public boolean repeatsInRounds() {
        return true;
    }

    @Override
    public List<Step> steps(SuitePlan plan) {
        List<String> readPercents = plan.quick() ? List.of("75") : List.of("100", "75", "25");
        // Full: 7 stores x 7 ops x 2 thread counts is 98 forks, plus the extras. Each pays a JVM
        // start and the preload of 100k entries (Ehcache's disk tier takes several seconds); a 5 s
        // warm-up, because on 2 vCPUs C2 needs that long to compile the serializing paths.
        Iterations loop =
                plan.quick() ? Iterations.timed(1, 1, "1s", 2, "500ms") : Iterations.timed(1, 1, "5s", 3, "1s");
        List<String> stores = new ArrayList<>(STORES);
        if (plan.redisRunning()) {
            stores.add("redis");
        }
        List<Step> steps = new ArrayList<>();
        for (int round = 1; round <= plan.rounds(); round++) {
            // one round's files are suffixed -r<round> when there are several rounds
            String suffix = plan.rounds() == 1 ? "" : "-r" + round;
            for (int t : AllocatorSuite.THREADS) {
                steps.add(JmhRun.of("cache-t" + t + suffix + ".json", CacheBenchmark.class, OPS.toArray(String[]::new))
                        .withThreads(t)
                        .withParam("store", stores)
                        .withParam("entries", ENTRIES)
                        .withParam("readPercent", readPercents)
                        .withProfiler("gc")
                        .with(loop));
                // heap tiers of 1 % and 10 % of the entries (the Zipfian hot sets that take about 58 % and
                // 78 % of the accesses)
                steps.add(JmhRun.of(
                                "cache-small-tiers-t" + t + suffix + ".json",
                                CacheBenchmark.class,
                                "getHit",
                                "getHitAndRead",
                                "mix")
                        .withThreads(t)
                        .withParam("store", SMALL_TIERS)
                        .withParam("entries", ENTRIES)
                        .withParam("readPercent", readPercents)
                        .withProfiler("gc")
                        .with(loop));
                if (plan.redisRunning()) {
                    // Spring Data Redis 4's default writer: a put that does not wait for Redis's reply
                    steps.add(JmhRun.of("cache-redis-async-t" + t + suffix + ".json", CacheBenchmark.class, "put")
                            .withThreads(t)
                            .withParam("store", "redis-async")
                            .withParam("entries", ENTRIES)
                            .with(loop));
                }
            }
        }
        steps.add(JmhRun.of(
                        "serialization.json",
                        SerializationBenchmark.class,
                        "serialize",
                        "deserialize",
                        "serializeForPmem",
                        "deserializeForPmem",
                        "serializeFory",
                        "deserializeFory",
                        "serializeKryo",
                        "deserializeKryo")
                .withProfiler("gc")
                .with(loop));
        return steps;
    }

    @Override
    public void report(SuiteResults results, StringBuilder out) {
        CacheReport.appendTo(out, results);
    }
}
