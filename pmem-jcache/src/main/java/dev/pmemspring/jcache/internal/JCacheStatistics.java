package dev.pmemspring.jcache.internal;

import java.util.concurrent.atomic.LongAdder;

import javax.cache.management.CacheStatisticsMXBean;

/**
 * A cache's statistics as JSR-107 defines them, counted while statistics are enabled; the
 * {@code CacheStatistics} MBean when registered. Times are in microseconds.
 */
final class JCacheStatistics implements CacheStatisticsMXBean {

    private volatile boolean enabled;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder getNanos = new LongAdder();
    private final LongAdder putNanos = new LongAdder();
    private final LongAdder removeNanos = new LongAdder();

    void enable(boolean on) {
        this.enabled = on;
    }

    boolean enabled() {
        return enabled;
    }

    void hit() {
        if (enabled) {
            hits.increment();
        }
    }

    void miss() {
        if (enabled) {
            misses.increment();
        }
    }

    void hits(long n) {
        if (enabled) {
            hits.add(n);
        }
    }

    void misses(long n) {
        if (enabled) {
            misses.add(n);
        }
    }

    void put() {
        puts(1);
    }

    void puts(long n) {
        if (enabled) {
            puts.add(n);
        }
    }

    void removal() {
        removals(1);
    }

    void removals(long n) {
        if (enabled) {
            removals.add(n);
        }
    }

    void getTime(long sinceNanos) {
        if (enabled) {
            getNanos.add(System.nanoTime() - sinceNanos);
        }
    }

    void putTime(long sinceNanos) {
        if (enabled) {
            putNanos.add(System.nanoTime() - sinceNanos);
        }
    }

    void removeTime(long sinceNanos) {
        if (enabled) {
            removeNanos.add(System.nanoTime() - sinceNanos);
        }
    }

    @Override
    public void clear() {
        for (LongAdder a : new LongAdder[] {hits, misses, puts, removals, evictions, getNanos, putNanos, removeNanos}) {
            a.reset();
        }
    }

    @Override
    public long getCacheHits() {
        return hits.sum();
    }

    @Override
    public float getCacheHitPercentage() {
        long gets = getCacheGets();
        return gets == 0 ? 0 : getCacheHits() * 100f / gets;
    }

    @Override
    public long getCacheMisses() {
        return misses.sum();
    }

    @Override
    public float getCacheMissPercentage() {
        long gets = getCacheGets();
        return gets == 0 ? 0 : getCacheMisses() * 100f / gets;
    }

    @Override
    public long getCacheGets() {
        return getCacheHits() + getCacheMisses();
    }

    @Override
    public long getCachePuts() {
        return puts.sum();
    }

    @Override
    public long getCacheRemovals() {
        return removals.sum();
    }

    @Override
    public long getCacheEvictions() {
        return evictions.sum();
    }

    @Override
    public float getAverageGetTime() {
        return average(getNanos.sum(), getCacheGets());
    }

    @Override
    public float getAveragePutTime() {
        return average(putNanos.sum(), getCachePuts());
    }

    @Override
    public float getAverageRemoveTime() {
        return average(removeNanos.sum(), getCacheRemovals());
    }

    private static float average(long nanos, long count) {
        return count == 0 ? 0 : nanos / 1000f / count;
    }
}
