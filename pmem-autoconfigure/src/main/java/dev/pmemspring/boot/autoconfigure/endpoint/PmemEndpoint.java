package dev.pmemspring.boot.autoconfigure.endpoint;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.pmemspring.core.CheckReport;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolInfo;
import dev.pmemspring.core.PoolStats;
import dev.pmemspring.core.RecoveryReport;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code pmem} actuator endpoint: {@code GET /actuator/pmem} describes the pool (identity,
 * durability, mapping, space, transactions, what opening it recovered); {@code GET /actuator/pmem/check}
 * walks the pool's metadata as the {@code check} tool does and lists every problem found.
 */
@Endpoint(id = "pmem")
public class PmemEndpoint {

    private final PmemPool pool;

    public PmemEndpoint(PmemPool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    @ReadOperation
    public PoolDescriptor pool() {
        return PoolDescriptor.of(pool.info());
    }

    /** {@code check}: walks the metadata; any other selector is not found. */
    @ReadOperation
    public CheckDescriptor operation(@Selector String operation) {
        if (!"check".equals(operation)) {
            return null;
        }
        long start = System.nanoTime();
        CheckReport report = pool.check();
        return new CheckDescriptor(report.clean(), report.problems(), report.blocks(), report.maps(),
                report.entries(), (System.nanoTime() - start) / 1_000_000);
    }

    /** A pool as the endpoint shows it. */
    public record PoolDescriptor(String path, String uuid, String layout, String formatVersion, String created,
                                 String durability, String mapping, int lanes, Space space,
                                 Transactions transactions, Recovery lastRecovery) {

        static PoolDescriptor of(PoolInfo info) {
            PoolStats s = info.stats();
            RecoveryReport r = info.lastRecovery();
            return new PoolDescriptor(info.path().toString(), info.uuid().toString(), info.layout(),
                    info.formatVersion(), info.created().toString(),
                    info.durability().name().toLowerCase(Locale.ROOT), info.mapping().name().toLowerCase(Locale.ROOT),
                    info.lanes(),
                    new Space(s.poolSize(), s.heapSize(), s.used(), s.free(), s.largestFreeBlock(), s.objects(),
                            info.runs()),
                    new Transactions(s.transactionsCommitted(), s.transactionsAborted()),
                    new Recovery(r.redoLogsReplayed(), r.transactionsRolledBack(), r.headerRepaired(),
                            r.unsafeShutdown(), r.time().toNanos() / 1_000_000.0));
        }
    }

    /** Space figures in bytes; {@code runs} counts runs of small-block units. */
    public record Space(long poolSize, long heapSize, long used, long free, long largestFreeBlock, long objects,
                        int runs) {
    }

    /** Transactions since the pool was opened. */
    public record Transactions(long committed, long aborted) {
    }

    /** What opening the pool recovered; {@code timeMillis} includes rebuilding the allocator state. */
    public record Recovery(int redoLogsReplayed, int transactionsRolledBack, boolean headerRepaired,
                           boolean unsafeShutdown, double timeMillis) {
    }

    /** What a check found. */
    public record CheckDescriptor(boolean clean, List<String> problems, long blocks, int maps, long entries,
                                  long tookMillis) {
    }
}
