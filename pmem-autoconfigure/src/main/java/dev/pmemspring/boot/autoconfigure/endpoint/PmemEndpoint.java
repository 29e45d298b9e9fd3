package dev.pmemspring.boot.autoconfigure.endpoint;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

import dev.pmemspring.cache.CacheCoherence;
import dev.pmemspring.cache.CoherenceStatus;
import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.cache.PmemCacheStats;
import dev.pmemspring.core.CheckReport;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolInfo;
import dev.pmemspring.core.PoolStats;
import dev.pmemspring.core.RecoveryReport;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code pmem} actuator endpoint: {@code GET /actuator/pmem} describes the pool (identity,
 * durability, mapping, space, transactions, what opening it recovered) and the statistics and
 * settings of every cache open on it, and the state of their coherence across instances when it is
 * on (stream, last applied id, lag, resyncs); {@code GET /actuator/pmem/check}
 * walks the pool's metadata as the {@code check} tool does and lists every problem found.
 */
@Endpoint(id = "pmem")
public class PmemEndpoint {

    private final PmemPool pool;

    private final Supplier<List<PmemCacheManager>> cacheManagers;

    public PmemEndpoint(PmemPool pool) {
        this(pool, List::of);
    }

    /** @param cacheManagers the cache managers whose caches on this pool are shown */
    public PmemEndpoint(PmemPool pool, Supplier<List<PmemCacheManager>> cacheManagers) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.cacheManagers = Objects.requireNonNull(cacheManagers, "cacheManagers");
    }

    @ReadOperation
    public PoolDescriptor pool() {
        Map<String, CacheDescriptor> caches = new TreeMap<>();
        CoherenceStatus coherence = null;
        for (PmemCacheManager manager : cacheManagers.get()) {
            if (manager.pool() == pool) {
                for (PmemCache cache : manager.caches()) {
                    caches.put(cache.getName(), CacheDescriptor.of(cache));
                }
                if (coherence == null && manager.coherence() != CacheCoherence.NONE) {
                    coherence = manager.coherence().status();
                }
            }
        }
        return PoolDescriptor.of(pool.info(), caches, coherence);
    }

    /** {@code check}: walks the metadata; any other selector is not found. */
    @ReadOperation
    public CheckDescriptor operation(@Selector String operation) {
        if (!"check".equals(operation)) {
            return null;
        }
        long start = System.nanoTime();
        CheckReport report = pool.check();
        return new CheckDescriptor(
                report.clean(),
                report.problems(),
                report.blocks(),
                report.maps(),
                report.entries(),
                report.unconfirmed(),
                LIVE_CHECK,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** A pool as the endpoint shows it. */
    public record PoolDescriptor(
            String path,
            String uuid,
            String layout,
            String formatVersion,
            String created,
            String durability,
            String mapping,
            String persistenceDomain,
            String flush,
            long deviceDirtyShutdowns,
            int lanes,
            Space space,
            Transactions transactions,
            Recovery lastRecovery,
            Map<String, CacheDescriptor> caches,
            @Nullable CoherenceStatus coherence) {

        static PoolDescriptor of(
                PoolInfo info, Map<String, CacheDescriptor> caches, @Nullable CoherenceStatus coherence) {
            PoolStats s = info.stats();
            RecoveryReport r = info.lastRecovery();
            return new PoolDescriptor(
                    info.path().toString(),
                    info.uuid().toString(),
                    info.layout(),
                    info.formatVersion(),
                    info.created().toString(),
                    info.durability().name().toLowerCase(Locale.ROOT),
                    info.mapping().name().toLowerCase(Locale.ROOT),
                    info.persistenceDomain().name().toLowerCase(Locale.ROOT),
                    info.flush().name().toLowerCase(Locale.ROOT),
                    info.deviceDirtyShutdowns(),
                    info.lanes(),
                    new Space(
                            s.poolSize(),
                            s.initialSize(),
                            s.maxSize(),
                            s.growths(),
                            s.growthFailures(),
                            s.canGrow(),
                            s.heapSize(),
                            s.used(),
                            s.free(),
                            s.largestFreeBlock(),
                            s.objects(),
                            info.runs()),
                    new Transactions(s.transactionsCommitted(), s.transactionsAborted()),
                    new Recovery(
                            r.redoLogsReplayed(),
                            r.transactionsRolledBack(),
                            r.headerRepaired(),
                            r.unsafeShutdown(),
                            r.stoppedWhenLastOpen(),
                            r.time().toNanos() / 1_000_000.0),
                    caches,
                    coherence);
        }
    }

    /** A cache's statistics (since this process opened it; size and bytes are what the pool holds) and settings. */
    public record CacheDescriptor(
            long hits,
            long misses,
            double hitRate,
            long puts,
            long evictions,
            long removals,
            long deserializationFailures,
            long rejectedPuts,
            long checksumFailures,
            long invalidations,
            long discardedLoads,
            long refreshes,
            long size,
            long bytes,
            Settings settings) {

        static CacheDescriptor of(PmemCache cache) {
            PmemCacheStats s = cache.stats();
            PmemCacheSettings c = cache.settings();
            return new CacheDescriptor(
                    s.hits(),
                    s.misses(),
                    s.hitRate(),
                    s.puts(),
                    s.evictions(),
                    s.removals(),
                    s.deserializationFailures(),
                    s.rejectedPuts(),
                    s.checksumFailures(),
                    s.invalidations(),
                    s.discardedLoads(),
                    s.refreshes(),
                    s.size(),
                    s.bytes(),
                    new Settings(
                            c.timeToLive().isZero() ? null : c.timeToLive().toString(),
                            c.timeToIdle().isZero() ? null : c.timeToIdle().toString(),
                            c.refreshAhead().isZero() ? null : c.refreshAhead().toString(),
                            c.expiry() != null,
                            c.maximumEntries(),
                            c.maximumBytes(),
                            c.maximumValueBytes(),
                            c.nullValues(),
                            c.heapTier(),
                            c.heapTierBytes(),
                            c.serializer().id()));
        }
    }

    /**
     * A cache's settings; {@code timeToLive}, {@code timeToIdle} and {@code refreshAhead} are
     * ISO-8601 durations or null (never expires, never reloads ahead), and 0 means no bound.
     */
    public record Settings(
            String timeToLive,
            String timeToIdle,
            String refreshAhead,
            boolean customExpiry,
            long maximumEntries,
            long maximumBytes,
            long maximumValueBytes,
            boolean nullValues,
            int heapTierEntries,
            long heapTierBytes,
            String serializer) {}

    /**
     * Space figures in bytes; {@code runs} counts runs of small-block units. {@code poolSize} is the
     * size now, between {@code initialSize} and {@code maxSize}; {@code growths} counts the times it
     * grew, {@code growthFailures} the growths that failed since the pool was opened (the file system
     * refused the space), {@code canGrow} whether it can grow now.
     */
    public record Space(
            long poolSize,
            long initialSize,
            long maxSize,
            long growths,
            long growthFailures,
            boolean canGrow,
            long heapSize,
            long used,
            long free,
            long largestFreeBlock,
            long objects,
            int runs) {}

    /** Transactions since the pool was opened. */
    public record Transactions(long committed, long aborted) {}

    /** What opening the pool recovered; {@code timeMillis} includes rebuilding the allocator state. */
    public record Recovery(
            int redoLogsReplayed,
            int transactionsRolledBack,
            boolean headerRepaired,
            boolean unsafeShutdown,
            boolean stoppedWhenLastOpen,
            double timeMillis) {}

    /** What a check found. */
    public record CheckDescriptor(
            boolean clean,
            List<String> problems,
            long blocks,
            int maps,
            long entries,
            List<String> unconfirmed,
            String note,
            long tookMillis) {}

    static final String LIVE_CHECK = "checked while the service runs: header and map findings are certain (each map"
            + " stripe is walked under its lock); allocator findings are listed in 'problems' only when three"
            + " walks 10 ms apart saw them, else in 'unconfirmed' (operations in flight, not damage), and the run"
            + " bits open transactions change at their commit are left out; a writer stalled"
            + " longer (a GC pause) can still look confirmed: for an exact check, stop the service and run the pool"
            + " tool's check";
}
