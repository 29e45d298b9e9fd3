package dev.pmemspring.bench.suite;

/**
 * How long a suite measures. Each suite declares, per profile, the forks, warm-ups and iterations
 * of its runs (and the reason for them, where a number is not arbitrary).
 */
public enum Profile {
    /** Short iterations over a reduced matrix: proves the suite runs end to end; not numbers to quote. */
    QUICK,
    /** The full matrix with the settings the published results were measured with. */
    FULL
}
