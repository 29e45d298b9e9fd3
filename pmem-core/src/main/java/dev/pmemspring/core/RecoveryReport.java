package dev.pmemspring.core;

import java.time.Duration;

/**
 * What opening a pool had to repair.
 *
 * @param redoLogsReplayed operations cut by a crash and completed from their redo logs
 * @param headerRepaired whether a damaged copy of the pool header was rewritten from the good one
 * @param time how long recovery and the rebuild of the allocator's volatile state took
 */
public record RecoveryReport(int redoLogsReplayed, boolean headerRepaired, Duration time) {
}
