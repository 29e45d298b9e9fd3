package dev.pmemspring.core;

import java.time.Duration;

/**
 * What opening a pool had to repair.
 *
 * @param redoLogsReplayed allocator operations cut by a crash and completed from their redo logs
 * @param transactionsRolledBack transactions cut by a crash and rolled back from their undo logs
 * @param headerRepaired whether a damaged copy of the pool header was rewritten from the good one
 * @param unsafeShutdown whether the pool was cut by a machine crash while open in
 *                       {@link Durability#PROCESS} mode (and opened anyway, as asked)
 * @param time how long recovery and the rebuild of the allocator's volatile state took
 */
public record RecoveryReport(
        int redoLogsReplayed,
        int transactionsRolledBack,
        boolean headerRepaired,
        boolean unsafeShutdown,
        Duration time) {}
