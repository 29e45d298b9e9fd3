package dev.pmemspring.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What opening a pool had to repair.
 *
 * @param redoLogsReplayed allocator operations cut by a crash and completed from their redo logs
 * @param transactionsRolledBack transactions cut by a crash and rolled back from their undo logs
 * @param headerRepaired whether a damaged copy of the pool header was rewritten from the good one
 * @param unsafeShutdown whether the pool was cut by a machine crash while open in
 *                       {@link Durability#PROCESS} mode (and opened anyway, as asked)
 * @param stoppedWhenLastOpen whether the pool records a stop nobody acknowledged yet
 *                            ({@link PmemPool#stopMarked()}): it had stopped taking changes when
 *                            open, so a cache in it may hold values older than the application's
 *                            data (the cache managers empty their caches and acknowledge it)
 * @param time how long recovery and the rebuild of the allocator's volatile state took
 */
public record RecoveryReport(
        int redoLogsReplayed,
        int transactionsRolledBack,
        boolean headerRepaired,
        boolean unsafeShutdown,
        boolean stoppedWhenLastOpen,
        Duration time) {

    /** What recovery did, in words: "nothing to recover", or each repair; then its time. */
    public String summary() {
        List<String> done = new ArrayList<>();
        if (unsafeShutdown) {
            done.add("opened after an unsafe shutdown");
        }
        if (redoLogsReplayed > 0) {
            done.add("completed " + redoLogsReplayed + " allocator operation" + (redoLogsReplayed == 1 ? "" : "s"));
        }
        if (transactionsRolledBack > 0) {
            done.add("rolled back " + transactionsRolledBack + " transaction"
                    + (transactionsRolledBack == 1 ? "" : "s"));
        }
        if (headerRepaired) {
            done.add("repaired a header copy");
        }
        if (stoppedWhenLastOpen) {
            done.add("had stopped taking changes when last open");
        }
        return (done.isEmpty() ? "nothing to recover" : String.join(", ", done))
                + String.format(Locale.ROOT, " in %.1f ms", time.toNanos() / 1e6);
    }
}
