package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.OpenBenchmark;
import dev.pmemspring.bench.suite.report.PmdkComparison;
import dev.pmemspring.bench.suite.report.PmdkCsv;
import dev.pmemspring.bench.suite.report.SuiteResults;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opening a pool with many live objects plus the first allocation, against PMDK's
 * {@code pmemobj_open} plus first {@code pmemobj_alloc}: in a fresh JVM against a freshly exec'd
 * process, and as a reopen in a warm process against PMDK's in-process reopen.
 */
final class OpenSuite implements Suite {

    static final List<Long> OBJECTS = List.of(200_000L, 2_000_000L);

    @Override
    public String name() {
        return "open";
    }

    @Override
    public String title() {
        return "Pool open against PMDK";
    }

    @Override
    public String description() {
        return "open a pool of 200k / 2M live objects + first allocation, fresh process (with and without an AOT"
                + " cache) and warm reopen, against PMDK";
    }

    @Override
    public List<Step> steps(SuitePlan plan) {
        List<String> objects = OBJECTS.stream().map(String::valueOf).toList();
        List<Step> steps = new ArrayList<>();
        steps.add(PmdkRun.opens(OBJECTS));
        // Warm: opening takes milliseconds, so many shots are cheap; the first few run interpreted.
        steps.add(JmhRun.of("open-warm.json", OpenBenchmark.class, "openAndAllocate")
                .withParam("objects", objects)
                .with(plan.quick() ? Iterations.shots(1, 1, 2) : Iterations.shots(1, 10, 20)));
        // Cold: one shot per fresh JVM, several JVMs: the counterpart of PMDK's median of five exec'd opens.
        steps.add(JmhRun.of("open-cold.json", OpenBenchmark.class, "openAndAllocate")
                .withParam("objects", objects)
                .with(Iterations.shots(plan.quick() ? 1 : 5, 0, 1)));
        // Cold again, from JDK 25's ahead-of-time cache (JEP 483/514/515): a training JVM opens a pool
        // once and writes the cache at exit; the measured JVMs start from it, classes loaded and
        // linked, profiles there. What a user gets with -XX:AOTCacheOutput / -XX:AOTCache.
        String cache = AOT_CACHE.toString();
        steps.add(JmhRun.of("open-aot-training.json", OpenBenchmark.class, "openAndAllocate")
                .withParam("objects", objects.subList(0, 1))
                .with(Iterations.shots(1, 0, 1))
                .withJvmArgsAppend(
                        "--enable-native-access=ALL-UNNAMED", "-XX:AOTCacheOutput=" + cache, "-Xlog:aot=off"));
        steps.add(JmhRun.of("open-cold-aot.json", OpenBenchmark.class, "openAndAllocate")
                .withParam("objects", objects)
                .with(Iterations.shots(plan.quick() ? 1 : 5, 0, 1))
                .withJvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=" + cache));
        return steps;
    }

    /** Where the training run leaves the AOT cache the measured JVMs start from (replaced each run). */
    static final Path AOT_CACHE = Path.of(System.getProperty("java.io.tmpdir"), "pmem-bench-open.aot");

    @Override
    public void report(SuiteResults results, StringBuilder out) {
        out.append("Ours / PMDK (below 1 we are faster), ns; ours in PROCESS durability only. Single shots: the median"
                + " over all shots, as PMDK reports the median of its samples.\n\n");
        List<PmdkComparison.Row> rows = new ArrayList<>();
        rows.addAll(PmdkComparison.shotRows(
                results.jmh("open-cold.json"), "open-time (fresh JVM / exec'd process)", "open-time", OBJECTS));
        rows.addAll(PmdkComparison.shotRows(
                results.jmh("open-cold-aot.json"),
                "open-time (fresh JVM with an AOT cache / exec'd process)",
                "open-time",
                OBJECTS));
        rows.addAll(PmdkComparison.shotRows(
                results.jmh("open-warm.json"),
                "open-time-inproc (reopen in a warm process)",
                "open-time-inproc",
                OBJECTS));
        PmdkComparison.appendTo(out, rows, PmdkCsv.read(results.lines("pmdk.csv")));
    }
}
