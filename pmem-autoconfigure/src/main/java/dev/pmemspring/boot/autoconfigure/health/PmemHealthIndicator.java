package dev.pmemspring.boot.autoconfigure.health;

import java.util.Locale;
import java.util.Objects;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolStats;
import dev.pmemspring.core.RecoveryReport;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of a pool: UP with its path, size, usage, durability and mapping; DOWN when the pool is
 * closed or cannot report its state. When the free share of the heap falls below the threshold
 * ({@code pmem.health.free-space-warning-threshold}), the status stays UP (the pool still works;
 * full caches evict) and the details carry {@code lowFreeSpace: true} and a {@code warning}.
 */
public class PmemHealthIndicator extends AbstractHealthIndicator {

    private final PmemPool pool;

    private final double freeSpaceWarningThreshold;

    public PmemHealthIndicator(PmemPool pool, double freeSpaceWarningThreshold) {
        super("pmem pool health check failed");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.freeSpaceWarningThreshold = freeSpaceWarningThreshold;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("path", pool.path().toString());
        if (pool.isClosed()) {
            builder.down().withDetail("error", "the pool is closed");
            return;
        }
        PoolStats stats = pool.stats();
        double freeRatio = stats.heapSize() == 0 ? 0 : (double) stats.free() / stats.heapSize();
        builder.up()
                .withDetail("durability", pool.durability().name().toLowerCase(Locale.ROOT))
                .withDetail("mapping", pool.mapping().name().toLowerCase(Locale.ROOT))
                .withDetail("size", stats.poolSize())
                .withDetail("heapSize", stats.heapSize())
                .withDetail("used", stats.used())
                .withDetail("free", stats.free())
                .withDetail("freeRatio", Math.round(freeRatio * 1000) / 1000.0)
                .withDetail("largestFreeBlock", stats.largestFreeBlock());
        RecoveryReport recovery = pool.lastRecovery();
        if (recovery.unsafeShutdown()) {
            builder.withDetail("unsafeShutdown", true);
        }
        boolean low = freeSpaceWarningThreshold > 0 && freeRatio < freeSpaceWarningThreshold;
        builder.withDetail("lowFreeSpace", low);
        if (low) {
            builder.withDetail("warning", String.format(Locale.ROOT,
                    "free pool space is %.1f%% of the heap, below the %.1f%% threshold"
                            + " (pmem.health.free-space-warning-threshold): caches will evict more,"
                            + " and allocations may fail; create a larger pool (pmem.pool.size) or bound the caches",
                    freeRatio * 100, freeSpaceWarningThreshold * 100));
        }
    }
}
