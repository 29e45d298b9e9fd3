package dev.pmemspring.boot.metrics;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolStats;
import dev.pmemspring.core.RecoveryReport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of a pool: space ({@code pmem.pool.size}, {@code .used}, {@code .free},
 * {@code .largest.free.block}, {@code .objects}), transactions ({@code pmem.pool.transactions} with
 * tag {@code result} = committed or aborted) and what opening it recovered
 * ({@code pmem.pool.recovery.redo.replayed}, {@code .transactions.rolled.back}, {@code .time},
 * {@code .unsafe.shutdown}). Every meter carries the tags {@code pool} (a name: the bean's under
 * Spring Boot, else the file's), {@code durability}, {@code mapping} and {@code flush} (what a
 * persist point does, {@link dev.pmemspring.core.FlushMethod}). Space figures are read at most once
 * a second, however many gauges ask.
 */
public class PmemPoolMetrics implements MeterBinder {

    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PmemPool pool;

    private final Iterable<Tag> tags;

    private volatile PoolStats cached;

    private volatile long cachedAt;

    /** Meters tagged {@code pool} with the pool file's name (not its folder, which differs per host). */
    public PmemPoolMetrics(PmemPool pool) {
        this(pool, Tags.empty());
    }

    public PmemPoolMetrics(PmemPool pool, Iterable<Tag> tags) {
        this(pool, String.valueOf(pool.path().getFileName()), tags);
    }

    /**
     * @param name the {@code pool} tag: the pool's bean name under Spring Boot, as Boot tags its
     *        connection pools, so dashboards do not change with the file's place
     */
    public PmemPoolMetrics(PmemPool pool, String name, Iterable<Tag> tags) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.tags = Tags.of(tags)
                .and(
                        "pool",
                        Objects.requireNonNull(name, "name"),
                        "durability",
                        pool.durability().name().toLowerCase(Locale.ROOT),
                        "mapping",
                        pool.mapping().name().toLowerCase(Locale.ROOT),
                        "flush",
                        pool.flushMethod().name().toLowerCase(Locale.ROOT));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        space(registry, "pmem.pool.size", "Size of the pool file now", PoolStats::poolSize);
        space(registry, "pmem.pool.size.initial", "Size the pool file was created at", PoolStats::initialSize);
        space(registry, "pmem.pool.size.max", "Size the pool file may grow to", PoolStats::maxSize);
        space(
                registry,
                "pmem.pool.free.with.growth",
                "Bytes free for allocation plus the bytes the pool may still grow by",
                PoolStats::freeWithGrowth);
        FunctionCounter.builder("pmem.pool.growths", this, m -> m.stat(PoolStats::growths))
                .description("Times the pool file grew since it was created")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("pmem.pool.growth.failures", this, m -> m.stat(PoolStats::growthFailures))
                .description("Growths that failed since the pool was opened (the file system refused the space)")
                .tags(tags)
                .register(registry);
        space(registry, "pmem.pool.used", "Bytes in allocated blocks", PoolStats::used);
        space(registry, "pmem.pool.free", "Bytes free for allocation", PoolStats::free);
        space(
                registry,
                "pmem.pool.largest.free.block",
                "Largest block an allocation could get now",
                PoolStats::largestFreeBlock);
        Gauge.builder("pmem.pool.objects", this, m -> m.stat(PoolStats::objects))
                .description("Allocated blocks")
                .baseUnit(BaseUnits.OBJECTS)
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("pmem.pool.transactions", this, m -> m.stat(PoolStats::transactionsCommitted))
                .description("Pool transactions ended since the pool was opened")
                .tags(tags)
                .tag("result", "committed")
                .register(registry);
        FunctionCounter.builder("pmem.pool.transactions", this, m -> m.stat(PoolStats::transactionsAborted))
                .description("Pool transactions ended since the pool was opened")
                .tags(tags)
                .tag("result", "aborted")
                .register(registry);
        RecoveryReport recovery = pool.lastRecovery();
        Gauge.builder("pmem.pool.recovery.redo.replayed", recovery, RecoveryReport::redoLogsReplayed)
                .description("Allocator operations completed from their redo logs when the pool was opened")
                .tags(tags)
                .register(registry);
        Gauge.builder("pmem.pool.recovery.transactions.rolled.back", recovery, RecoveryReport::transactionsRolledBack)
                .description("Transactions cut by a crash and rolled back when the pool was opened")
                .tags(tags)
                .register(registry);
        TimeGauge.builder(
                        "pmem.pool.recovery.time",
                        recovery,
                        TimeUnit.NANOSECONDS,
                        r -> r.time().toNanos())
                .description("Time opening the pool took to recover and rebuild its allocator state")
                .tags(tags)
                .register(registry);
        Gauge.builder("pmem.pool.recovery.unsafe.shutdown", recovery, r -> r.unsafeShutdown() ? 1 : 0)
                .description("1 when the pool was opened after a machine crash cut it in 'process' durability")
                .tags(tags)
                .register(registry);
        Gauge.builder("pmem.pool.recovery.stopped.when.last.open", recovery, r -> r.stoppedWhenLastOpen() ? 1 : 0)
                .description(
                        "1 when the pool had stopped taking changes when it was last open (its caches started empty)")
                .tags(tags)
                .register(registry);
        Gauge.builder("pmem.pool.stopped", pool, p -> p.isStopped() ? 1 : 0)
                .description("1 once the pool has stopped taking changes (a failed write-back to its file): reopen it")
                .tags(tags)
                .register(registry);
    }

    private void space(MeterRegistry registry, String name, String description, ToDoubleFunction<PoolStats> value) {
        Gauge.builder(name, this, m -> m.stat(value))
                .description(description)
                .baseUnit(BaseUnits.BYTES)
                .tags(tags)
                .register(registry);
    }

    private double stat(ToDoubleFunction<PoolStats> value) {
        PoolStats stats = stats();
        return stats == null ? Double.NaN : value.applyAsDouble(stats);
    }

    private PoolStats stats() {
        if (pool.isClosed()) {
            return null;
        }
        long now = System.nanoTime();
        PoolStats stats = cached;
        if (stats == null || now - cachedAt > REFRESH_NANOS) {
            try {
                stats = pool.stats();
            } catch (IllegalStateException closedMeanwhile) {
                return null;
            }
            cached = stats;
            cachedAt = now;
        }
        return stats;
    }
}
