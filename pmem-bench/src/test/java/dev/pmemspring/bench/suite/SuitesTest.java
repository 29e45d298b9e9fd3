package dev.pmemspring.bench.suite;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The suites' declarations against the benchmarks JMH generated: every method a run names exists,
 * every parameter it sets is a parameter of one of its methods, and no two runs of a suite write
 * the same file. So a renamed benchmark method or parameter fails here, not hours into a run.
 */
class SuitesTest {

    private static final List<BenchmarkListEntry> BENCHMARKS = List.copyOf(BenchmarkList.defaultList()
            .getAll(
                    OutputFormatFactory.createFormatInstance(
                            new PrintStream(OutputStream.nullOutputStream()), VerboseMode.SILENT),
                    List.of()));

    @Test
    void everyRunNamesMethodsAndParametersThatExist() {
        for (Suite suite : Suites.all()) {
            for (Suite.SuitePlan plan : plans()) {
                for (Step step : suite.steps(plan)) {
                    if (!(step instanceof JmhRun run)) {
                        continue;
                    }
                    Set<String> declared = new HashSet<>();
                    for (String method : run.methods()) {
                        List<BenchmarkListEntry> entries = BENCHMARKS.stream()
                                .filter(e ->
                                        e.getUsername().equals(run.benchmark().getName() + "." + method))
                                .toList();
                        assertThat(entries)
                                .as("%s: %s.%s", suite.name(), run.benchmark().getSimpleName(), method)
                                .isNotEmpty();
                        entries.forEach(e -> e.getParams()
                                .orElse(java.util.Map.of())
                                .keySet()
                                .forEach(declared::add));
                    }
                    assertThat(declared)
                            .as("%s: parameters of %s", suite.name(), run.describe())
                            .containsAll(run.params().keySet());
                    assertThat(run.iterations())
                            .as("%s: %s", suite.name(), run.output())
                            .isNotNull();
                }
            }
        }
    }

    @Test
    void noTwoStepsOfASuiteWriteTheSameResultsFile() {
        for (Suite suite : Suites.all()) {
            for (Suite.SuitePlan plan : plans()) {
                List<String> outputs = suite.steps(plan).stream()
                        .filter(s -> s instanceof JmhRun)
                        .map(s -> ((JmhRun) s).output())
                        .toList();
                assertThat(outputs).as(suite.name()).doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void theQuickProfileMeasuresLessThanTheFullOne() {
        for (Suite suite : Suites.all()) {
            long quick = shots(suite, new Suite.SuitePlan(Profile.QUICK, 1, true));
            long full = shots(suite, new Suite.SuitePlan(Profile.FULL, 1, true));
            assertThat(quick).as(suite.name()).isLessThan(full);
        }
    }

    @Test
    void roundsRepeatTheMapMatrixIntoFilesOfTheirOwn() {
        Suite map = Suites.select(List.of("map")).getFirst();
        List<String> outputs = map.steps(new Suite.SuitePlan(Profile.FULL, 3, false)).stream()
                .filter(s -> s instanceof JmhRun)
                .map(s -> ((JmhRun) s).output())
                .toList();
        assertThat(outputs)
                .contains("map-t1-r1.json", "map-t2-r3.json", "map-putnew-tx-t1-r2.json", "map-open.json")
                .doesNotContain("map-t1.json");
    }

    @Test
    void roundsRepeatTheCacheMatrixIntoFilesOfTheirOwnAndTheSerializationOnce() {
        Suite cache = Suites.select(List.of("cache")).getFirst();
        List<String> outputs = cache.steps(new Suite.SuitePlan(Profile.FULL, 3, false)).stream()
                .filter(s -> s instanceof JmhRun)
                .map(s -> ((JmhRun) s).output())
                .toList();
        assertThat(outputs)
                .contains("cache-t1-r1.json", "cache-t2-r3.json", "cache-small-tiers-t1-r2.json")
                .doesNotContain("cache-t1.json")
                .containsOnlyOnce("serialization.json");
    }

    @Test
    void theCacheSuiteLeavesRedisOutWhenNoServerRuns() {
        Suite cache = Suites.select(List.of("cache")).getFirst();
        List<String> without = describe(cache.steps(new Suite.SuitePlan(Profile.QUICK, 1, false)));
        assertThat(without).noneMatch(d -> d.contains("redis"));
        assertThat(describe(cache.steps(new Suite.SuitePlan(Profile.QUICK, 1, true))))
                .anyMatch(
                        d -> d.contains(
                                "store=pmem-fory,pmem,pmem-fory-heap,caffeine,concurrent-map,ehcache-offheap,ehcache-disk,redis"))
                .anyMatch(d -> d.contains("store=redis-async"));
    }

    @Test
    void allSelectsEverySuiteInOrder() {
        assertThat(Suites.select(List.of("map", "all")).stream().map(Suite::name))
                .containsExactly("allocator", "transactions", "open", "recovery", "map", "cache", "coherence");
    }

    private static List<Suite.SuitePlan> plans() {
        List<Suite.SuitePlan> plans = new ArrayList<>();
        for (Profile profile : Profile.values()) {
            for (boolean redis : List.of(true, false)) {
                plans.add(new Suite.SuitePlan(profile, 1, redis));
                plans.add(new Suite.SuitePlan(profile, 2, redis));
            }
        }
        return plans;
    }

    /** Forks x measured iterations x parameter combinations, summed over the suite's runs: a measure of its length. */
    private static long shots(Suite suite, Suite.SuitePlan plan) {
        long total = 0;
        for (Step step : suite.steps(plan)) {
            if (step instanceof JmhRun run) {
                long combinations =
                        run.params().values().stream().mapToLong(List::size).reduce(1, (a, b) -> a * b);
                total += (long) run.iterations().forks()
                        * (run.iterations().warmupIterations()
                                + run.iterations().measurementIterations())
                        * combinations
                        * run.methods().size();
            }
        }
        return total;
    }

    private static List<String> describe(List<Step> steps) {
        return steps.stream().map(Step::describe).toList();
    }
}
