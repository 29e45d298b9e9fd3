package dev.pmemspring.boot.autoconfigure.health;

import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import dev.pmemspring.boot.autoconfigure.PmemPoolStartup;
import dev.pmemspring.cache.CoherenceStatus;
import dev.pmemspring.cache.SalvageReport;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolStats;
import dev.pmemspring.core.RecoveryReport;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of a pool: UP with its path, size, usage, durability and mapping; DOWN when the pool is
 * closed, has stopped taking changes ({@code PoolStoppedException}: its storage failed a write-back,
 * or a log could not be applied), or cannot report its state. When the free share of the heap falls below the threshold
 * ({@code pmem.health.free-space-warning-threshold}), the details carry {@code lowFreeSpace: true}
 * and a {@code warning}, and the status is {@code pmem.health.low-free-space-status}: UP by default
 * (the pool still works; full caches evict), DOWN or OUT_OF_SERVICE where asked.
 *
 * <p>With cache coherence on, the details carry {@code coherence} (its state, reason, stream and
 * resyncs). A degraded coherence leaves the status UP: the caches keep serving, and taking the
 * instance out of service because Redis is away would turn a slower path into an outage.
 *
 * <p>After a machine crash the details carry {@code salvaged}: the entries the caches kept and
 * dropped ({@code action} salvage or start-cold), or, when the pool could not be opened even
 * then, {@code action: started-cold} with the file it was moved to. The status stays UP.
 */
public class PmemHealthIndicator extends AbstractHealthIndicator {

    private final PmemPool pool;

    private final double freeSpaceWarningThreshold;

    private final Supplier<@Nullable CoherenceStatus> coherence;

    private final Supplier<Optional<SalvageReport>> salvage;

    private final @Nullable PmemPoolStartup startup;

    private final Status lowFreeSpaceStatus;

    public PmemHealthIndicator(PmemPool pool, double freeSpaceWarningThreshold) {
        this(pool, freeSpaceWarningThreshold, () -> null);
    }

    /** @param coherence the coherence of the caches on this pool, or a supplier of null when there is none */
    public PmemHealthIndicator(
            PmemPool pool, double freeSpaceWarningThreshold, Supplier<@Nullable CoherenceStatus> coherence) {
        this(pool, freeSpaceWarningThreshold, coherence, Optional::empty, null, Status.UP);
    }

    /**
     * @param salvage what the cache manager on this pool salvaged after a machine crash
     * @param startup how the auto-configuration opened the pool, or null when the application made it
     * @param lowFreeSpaceStatus the status below the free-space threshold ({@link Status#UP} to only warn)
     */
    public PmemHealthIndicator(
            PmemPool pool,
            double freeSpaceWarningThreshold,
            Supplier<@Nullable CoherenceStatus> coherence,
            Supplier<Optional<SalvageReport>> salvage,
            @Nullable PmemPoolStartup startup,
            Status lowFreeSpaceStatus) {
        super("pmem pool health check failed");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.freeSpaceWarningThreshold = freeSpaceWarningThreshold;
        this.coherence = Objects.requireNonNull(coherence, "coherence");
        this.salvage = Objects.requireNonNull(salvage, "salvage");
        this.startup = startup;
        this.lowFreeSpaceStatus = Objects.requireNonNull(lowFreeSpaceStatus, "lowFreeSpaceStatus");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("path", pool.path().toString());
        if (pool.isClosed()) {
            builder.down().withDetail("error", "the pool is closed");
            return;
        }
        Optional<String> stopped = pool.stopReason();
        if (stopped.isPresent()) {
            builder.down()
                    .withDetail(
                            "error",
                            "the pool takes no more changes since " + stopped.get()
                                    + "; restart the service (or close and reopen the pool) to recover");
            return;
        }
        PoolStats stats = pool.stats();
        // Against the maximum: a pool that may still grow is not short of space when its file is full.
        double freeRatio = stats.maxHeapSize() <= 0 ? 0 : (double) stats.freeWithGrowth() / stats.maxHeapSize();
        builder.up()
                .withDetail("durability", pool.durability().name().toLowerCase(Locale.ROOT))
                .withDetail("mapping", pool.mapping().name().toLowerCase(Locale.ROOT))
                .withDetail("persistenceDomain", pool.persistenceDomain().name().toLowerCase(Locale.ROOT))
                .withDetail("flush", pool.flushMethod().name().toLowerCase(Locale.ROOT))
                .withDetail("size", stats.poolSize())
                .withDetail("maxSize", stats.maxSize())
                .withDetail("growths", stats.growths())
                .withDetail("canGrow", stats.canGrow())
                .withDetail("heapSize", stats.heapSize())
                .withDetail("used", stats.used())
                .withDetail("free", stats.free())
                .withDetail("freeRatio", Math.round(freeRatio * 1000) / 1000.0)
                .withDetail("largestFreeBlock", stats.largestFreeBlock());
        RecoveryReport recovery = pool.lastRecovery();
        if (recovery.unsafeShutdown()) {
            builder.withDetail("unsafeShutdown", true);
        }
        if (recovery.stoppedWhenLastOpen()) {
            builder.withDetail("stoppedWhenLastOpen", true); // its caches started empty
        }
        salvaged(builder);
        boolean low = freeSpaceWarningThreshold > 0 && freeRatio < freeSpaceWarningThreshold;
        builder.withDetail("lowFreeSpace", low);
        if (low) {
            builder.status(lowFreeSpaceStatus);
            builder.withDetail(
                    "warning",
                    String.format(
                            Locale.ROOT,
                            "free pool space (with what the pool may still grow by) is %.1f%% of the heap at its"
                                    + " maximum size, below the %.1f%% threshold"
                                    + " (pmem.health.free-space-warning-threshold): caches will evict more,"
                                    + " and allocations may fail; create a pool with a larger pmem.pool.max-size or bound the caches",
                            freeRatio * 100,
                            freeSpaceWarningThreshold * 100));
        }
        coherence(builder);
    }

    /**
     * After a machine crash: what the caches kept and dropped, or where the damaged pool went. UP
     * either way: the service serves, and the misses load again.
     */
    private void salvaged(Health.Builder builder) {
        if (startup != null && startup.startedCold()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("action", "started-cold");
            details.put("damagedFile", String.valueOf(startup.damagedFile()));
            details.put("reason", String.valueOf(startup.damage()));
            builder.withDetail("salvaged", details);
            return;
        }
        salvage.get().ifPresent(report -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put(
                    "action", report.action().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            details.put("entriesKept", report.entriesKept());
            details.put("entriesDropped", report.entriesDropped());
            Map<String, Object> caches = new TreeMap<>();
            report.caches()
                    .forEach((name, counts) ->
                            caches.put(name, Map.of("kept", counts.kept(), "dropped", counts.dropped())));
            details.put("caches", caches);
            builder.withDetail("salvaged", details);
        });
    }

    private void coherence(Health.Builder builder) {
        CoherenceStatus peers = coherence.get();
        if (peers != null) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("state", peers.state().name().toLowerCase(Locale.ROOT));
            if (peers.reason() != null) {
                details.put("reason", peers.reason());
            }
            details.put("stream", peers.channel());
            details.put("pending", peers.pending());
            details.put("resyncs", peers.resyncs());
            if (peers.lastResync() != null) {
                details.put("lastResync", peers.lastResync());
            }
            builder.withDetail("coherence", details);
        }
    }
}
