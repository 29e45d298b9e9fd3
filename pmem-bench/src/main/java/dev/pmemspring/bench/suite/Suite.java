package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.suite.report.SuiteResults;

import java.util.List;

/**
 * One area of the benchmarks: the runs that measure it against its peers, declared in code per
 * {@link Profile}, and the markdown section that reports them from the JSON they wrote.
 */
public interface Suite {

    /** What {@code run} takes on the command line; also the name of the suite's results folder. */
    String name();

    /** The report section's heading. */
    String title();

    /** One line for {@code --help} and {@code --dry-run}. */
    String description();

    /** Whether the suite measures against a Redis server, which the runner then starts. */
    default RedisNeed redis() {
        return RedisNeed.NONE;
    }

    /** Whether {@code --rounds} repeats the suite's main runs (only where their forks vary that much). */
    default boolean repeatsInRounds() {
        return false;
    }

    /** The steps, in order. {@code --only} is applied to them afterwards by the runner. */
    List<Step> steps(SuitePlan plan);

    /** Appends the suite's report (markdown, no top-level heading) from what its steps wrote. */
    void report(SuiteResults results, StringBuilder out);

    /** What a suite needs of Redis. */
    enum RedisNeed {
        NONE,
        /** Redis is one peer among others: left out, with a warning, when no server can be started. */
        OPTIONAL,
        /** The suite measures Redis itself: it fails when no server can be started. */
        REQUIRED
    }

    /**
     * What the steps depend on.
     *
     * @param profile      quick or full
     * @param rounds       how many times the suite repeats its main runs, one round after the other
     *                     (where the suite supports it)
     * @param redisRunning whether a Redis server runs for this suite
     */
    record SuitePlan(Profile profile, int rounds, boolean redisRunning) {

        public boolean quick() {
            return profile == Profile.QUICK;
        }
    }
}
