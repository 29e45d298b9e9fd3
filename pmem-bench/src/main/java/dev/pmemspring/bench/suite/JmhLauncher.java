package dev.pmemspring.bench.suite;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Runs one {@link JmhRun} through JMH's {@link Runner} in this JVM (the forks are JVMs of their
 * own): JSON results and JMH's log into the suite's folder. JMH carries on past a benchmark that
 * throws; that is logged here, and the report shows the row as missing or failed.
 */
final class JmhLauncher {

    private static final int ATTEMPTS = 5;

    private final List<String> forkProperties;
    private final PrintStream log;

    /**
     * @param forkProperties {@code -D} options every fork gets first (the pool folder, the Redis
     *                       address); the forks also inherit this JVM's own options
     */
    JmhLauncher(List<String> forkProperties, PrintStream log) {
        this.forkProperties = List.copyOf(forkProperties);
        this.log = log;
    }

    /** Runs it; false if JMH could not run at all (a benchmark that failed inside a run is not that). */
    boolean run(JmhRun run, Path dir) throws IOException, InterruptedException {
        Path json = dir.resolve(run.output());
        Path logFile = dir.resolve(run.logFile());
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(run.includePattern())
                .jvmArgsPrepend(forkProperties.toArray(String[]::new))
                .result(json.toString())
                .resultFormat(ResultFormatType.JSON)
                .shouldFailOnError(false);
        if (run.threads() > 0) {
            options.threads(run.threads());
        }
        run.params().forEach((name, values) -> options.param(name, values.toArray(String[]::new)));
        if (run.iterations() != null) {
            run.iterations().applyTo(options);
        }
        if (run.batchSize() > 0) {
            options.warmupBatchSize(run.batchSize()).measurementBatchSize(run.batchSize());
        }
        if (!run.jvmArgsAppend().isEmpty()) {
            options.jvmArgsAppend(run.jvmArgsAppend().toArray(String[]::new));
        }
        run.profilers().forEach(options::addProfiler);
        // Between the wait and JMH taking the lock another run can get in first: then wait again.
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            JmhLock.awaitFree(log);
            try (PrintStream jmhLog = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8)) {
                Collection<RunResult> results = runPrintingTo(jmhLog, options);
                int failures = failures(logFile);
                log.println("   " + results.size() + " result(s)"
                        + (failures > 0 ? ", " + failures + " benchmark(s) failed, see " + logFile : ""));
                return true;
            } catch (RunnerException e) {
                if (String.valueOf(e.getMessage()).contains("Unable to acquire the JMH lock") && attempt < ATTEMPTS) {
                    log.println("   lost the race for the JMH lock; retrying");
                    Thread.sleep(10_000);
                    continue;
                }
                log.println("   JMH run failed: " + e.getMessage() + " (see " + logFile + ")");
                return false;
            }
        }
        return false;
    }

    /**
     * JMH prints its progress to {@code System.out} and passes on what the forks print to
     * {@code System.err}: both go to the run's log, as a shell redirect of a JMH run would, so the
     * console keeps the suite's progress alone.
     */
    private static Collection<RunResult> runPrintingTo(PrintStream jmhLog, ChainedOptionsBuilder options)
            throws RunnerException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(jmhLog);
        System.setErr(jmhLog);
        try {
            return new Runner(options.build()).run();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** JMH writes {@code <failure>} into its log for each benchmark that threw. */
    private static int failures(Path logFile) {
        try {
            return Files.exists(logFile)
                    ? (int) Files.readAllLines(logFile).stream()
                            .filter(l -> l.contains("<failure>"))
                            .count()
                    : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
