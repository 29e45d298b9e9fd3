package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.CoherenceLagBenchmark;
import dev.pmemspring.bench.CoherencePutBenchmark;
import dev.pmemspring.bench.RollingRestartBenchmark;
import dev.pmemspring.bench.suite.report.CoherenceReport;
import dev.pmemspring.bench.suite.report.SuiteResults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cache coherence over Redis (a private server the runner starts): what it costs a put, the lag
 * until a peer sees an evict, and a rolling restart of three instances against Redisson's
 * {@code RLocalCachedMap}.
 */
final class CoherenceSuite implements Suite {

    @Override
    public String name() {
        return "coherence";
    }

    @Override
    public String title() {
        return "Coherence over Redis";
    }

    @Override
    public String description() {
        return "put cost with and without coherence, evict-to-miss lag, rolling restart against Redisson";
    }

    @Override
    public RedisNeed redis() {
        return RedisNeed.REQUIRED;
    }

    @Override
    public List<Step> steps(SuitePlan plan) {
        Iterations put =
                plan.quick() ? Iterations.timed(1, 1, "1s", 2, "500ms") : Iterations.timed(1, 1, "5s", 5, "2s");
        // The lag warms up 5 s: with a cold JIT (1 s) its tail was several times longer.
        Iterations lag = plan.quick() ? Iterations.timed(1, 1, "1s", 1, "2s") : Iterations.timed(1, 1, "5s", 3, "10s");
        String entries = plan.quick() ? "10000" : "100000";
        List<Step> steps = new ArrayList<>();
        for (int t : AllocatorSuite.THREADS) {
            steps.add(JmhRun.of("put-t" + t + ".json", CoherencePutBenchmark.class, "put")
                    .withThreads(t)
                    .withParam("coherence", "none", "redis")
                    .withParam("entries", "100000")
                    .with(put));
        }
        steps.add(JmhRun.of("lag.json", CoherenceLagBenchmark.class, "evictSeenByPeer")
                .withParam("entries", "10000")
                .with(lag));
        // Not JMH: what it measures is a count (back-end loads per restart). 3 instances of up to
        // 100k entries each share the JVM's heap.
        steps.add(new ProgramRun(
                RollingRestartBenchmark.class,
                List.of(
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                        "-Xmx4g",
                        "-Dentries=" + entries,
                        "-DchangedPercent=1",
                        "-Dinstances=3",
                        "-Dsystems=pmem,redisson,redisson-local"),
                List.of("rolling-restart.json"),
                "rolling-restart.log",
                "rolling-restart.log",
                true,
                Map.of()));
        return steps;
    }

    @Override
    public void report(SuiteResults results, StringBuilder out) {
        CoherenceReport.appendTo(out, results);
    }
}
