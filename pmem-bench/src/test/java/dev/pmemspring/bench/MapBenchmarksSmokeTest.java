package dev.pmemspring.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
 * Runs the map benchmarks once in a tiny configuration (1,000 preloaded keys, 100-byte values), so
 * CI notices one that no longer runs. Not a measurement: the numbers are thrown away.
 *
 * <p>As in {@link BenchmarksSmokeTest}, {@code forks(0)} runs them inside the surefire JVM. Except
 * Chronicle Map: that JVM has none of the {@code --add-opens}/{@code --add-exports} it needs on
 * JDK 17+, and its {@code Jvm} class fails to initialize there ({@code IllegalAccessException:
 * module java.base does not open java.lang.reflect to unnamed module}). So {@code chronicle} runs
 * in one forked JVM, which gets them from the benchmark's {@code @Fork}, and only the mix (gets
 * and puts), since each benchmark method costs a JVM start.
 */
class MapBenchmarksSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {MapStore.PMEM, MapStore.CHM, MapStore.MAPDB, MapStore.MAPDB_TX})
    void mapBenchmarkRuns(String impl) throws RunnerException {
        Collection<RunResult> timed = run(options(MapBenchmark.class, "getHit|getMiss|putOverwrite|mix")
                .param("impl", impl)
                .param("keys", "1000")
                .param("valueSize", "100")
                .param("readPercent", "75"));
        assertThat(timed).hasSize(4);
        assertPositiveScores(timed);

        Collection<RunResult> putNew = run(options(MapBenchmark.class, "putNew")
                .param("impl", impl)
                .param("keys", "1000")
                .param("valueSize", "100")
                .warmupBatchSize(20)
                .measurementBatchSize(20)
                .measurementIterations(2));
        assertThat(putNew).hasSize(1);
        assertPositiveScores(putNew);
    }

    @Test
    void chronicleRunsInAFork() throws RunnerException {
        Collection<RunResult> results = run(options(MapBenchmark.class, "mix")
                .forks(1)
                .param("impl", MapStore.CHRONICLE)
                .param("keys", "1000")
                .param("valueSize", "100")
                .param("readPercent", "75"));

        assertThat(results).hasSize(1);
        assertPositiveScores(results);
    }

    @Test
    void mapOpenBenchmarkRuns() throws RunnerException {
        Collection<RunResult> results = run(options(MapOpenBenchmark.class, "openAndGet|openPoolOnly")
                .param("entries", "1000")
                .measurementIterations(2));

        assertThat(results).hasSize(2);
        assertPositiveScores(results);
    }

    private static ChainedOptionsBuilder options(Class<?> benchmark, String methods) {
        return new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.(" + methods + ")$")
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
