package dev.pmemspring.bench.suite;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The benchmarks jar's entry point: {@code java -jar pmem-bench/target/benchmarks.jar run SUITE...}
 * runs suites (see {@link RunCommand}), {@code report DIR} regenerates a report, {@code jmh ...} is
 * JMH's own command line for a single benchmark.
 */
@Command(
        name = "java -jar benchmarks.jar",
        mixinStandardHelpOptions = true,
        subcommands = {RunCommand.class, ReportCommand.class, JmhCommand.class, CommandLine.HelpCommand.class},
        description = "The pmem-spring benchmarks: suites of JMH runs against the peers, with their report.")
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, as {@link #main} parses it (also for the tests). */
    static CommandLine commandLine() {
        return new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
