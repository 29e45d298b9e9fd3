package dev.pmemspring.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every benchmark once in its smallest configuration, so CI notices a benchmark that no
 * longer runs. Not a measurement: the numbers are thrown away.
 *
 * <p>{@code forks(0)} runs the benchmarks inside the test JVM: the classes JMH generated at compile
 * time are already on the test class path, and surefire already passes
 * {@code --enable-native-access}. A forked JVM would have to rebuild that class path from
 * surefire's booter jar.
 */
class BenchmarksSmokeTest {

    @Test
    void allocatorBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results =
                run(options(AllocatorBenchmark.class).param("size", "64").param("durability", "PROCESS"));

        assertThat(results).hasSize(2); // allocateFree, allocateIntoFree
        assertPositiveScores(results);
    }

    @Test
    void growthBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results = run(options(GrowthBenchmark.class)
                .param("durability", "PROCESS")
                .param("stepMiB", "8")
                .param("pool", "growing")
                .measurementIterations(1));

        assertThat(results).hasSize(2); // growthStep, putsThatGrowThePool
        assertPositiveScores(results);
        for (RunResult result : results) {
            assertThat(result.getSecondaryResults().get("growths").getScore())
                    .as("%s grew its pool", result.getParams().getBenchmark())
                    .isPositive();
        }
    }

    @Test
    void openBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results = run(options(OpenBenchmark.class).param("objects", "1000"));

        assertThat(results).hasSize(1);
        assertPositiveScores(results);
    }

    @Test
    void transactionBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results =
                run(options(TransactionBenchmark.class).param("size", "64").param("durability", "PROCESS"));

        assertThat(results).hasSize(2); // snapshotWrite, allocFreePair
        assertPositiveScores(results);
    }

    @Test
    void recoveryBenchmarkRuns() throws RunnerException {
        // A small pool, 1 MiB live: the setup and the checks after each shot run as in a full run
        // (one interrupted transaction rolled back, every change undone).
        Collection<RunResult> results = run(options(RecoveryBenchmark.class)
                .param("liveMiB", "1")
                .param("poolMiB", "16")
                .param("durability", "PROCESS")
                .param("txSpanMiB", "all")
                .measurementIterations(2));

        assertThat(results).hasSize(1);
        assertPositiveScores(results);
        RunResult result = results.iterator().next();
        assertThat(result.getSecondaryResults().get("recoveryNanos").getScore())
                .as("RecoveryReport.time of the shots")
                .isPositive();
    }

    @Test
    void salvageBenchmarkRuns() throws RunnerException {
        // A 16 MiB pool: both images, the torn one with entries dropped (the shot's checks fail otherwise).
        Collection<RunResult> results = run(options(SalvageBenchmark.class)
                .param("poolMiB", "16")
                .param("tornPercent", "5")
                .measurementIterations(2));

        assertThat(results).hasSize(2);
        assertPositiveScores(results);
        for (RunResult result : results) {
            double dropped = result.getSecondaryResults().get("dropped").getScore();
            if (result.getParams().getParam("image").equals("torn")) {
                assertThat(dropped).as("entries the torn image dropped").isPositive();
            } else {
                assertThat(dropped).as("entries the clean image dropped").isZero();
            }
        }
    }

    private static ChainedOptionsBuilder options(Class<?> benchmark) {
        return new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                .forks(0)
                .threads(1)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true);
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    private static void assertPositiveScores(Collection<RunResult> results) {
        for (RunResult result : results) {
            assertThat(result.getPrimaryResult().getScore())
                    .as(result.getParams().getBenchmark())
                    .isPositive()
                    .isFinite();
        }
    }
}
