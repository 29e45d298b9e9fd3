package dev.pmemspring.bench.suite;

/**
 * One thing a suite runs, in order: a JMH run, the PMDK baseline, or a program in a JVM of its own.
 * Each writes its results into the suite's results folder.
 */
public sealed interface Step permits JmhRun, PmdkRun, ProgramRun {

    /** One line for the progress log and {@code --dry-run}. */
    String describe();
}
