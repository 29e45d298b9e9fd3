package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.RecoveryBenchmark;
import dev.pmemspring.bench.SalvageBenchmark;
import dev.pmemspring.bench.suite.report.RecoveryTable;
import dev.pmemspring.bench.suite.report.SalvageTable;
import dev.pmemspring.bench.suite.report.SuiteResults;

import java.util.List;

/**
 * Recovery after a crash (ours only): the open that rolls back one interrupted transaction, with
 * 10 MiB to 1 GiB of live data in the same pool size, and a control run with the JVM heap
 * committed and touched up front; and the open after a machine crash, clean against 1% of the
 * pages torn (a salvage).
 */
final class RecoverySuite implements Suite {

    static final List<Integer> LIVE_MIB = List.of(10, 100, 1024);
    static final List<Integer> PRETOUCH_LIVE_MIB = List.of(10, 1024);

    @Override
    public String name() {
        return "recovery";
    }

    @Override
    public String title() {
        return "Recovery after a crash";
    }

    @Override
    public String description() {
        return "open that rolls back an interrupted transaction, 10 MiB / 100 MiB / 1 GiB live; open after a machine"
                + " crash with 1% of the pages torn (ours only)";
    }

    @Override
    public List<Step> steps(SuitePlan plan) {
        // One shot = one open after one interrupted transaction; warm, as the open suite's warm
        // reading (the first open of a fresh JVM adds class loading whatever the pool holds).
        Iterations shots = plan.quick() ? Iterations.shots(1, 2, 3) : Iterations.shots(1, 20, 30);
        JmhRun recovery = JmhRun.of("recovery.json", RecoveryBenchmark.class, "recover")
                .withParam("liveMiB", LIVE_MIB.stream().map(String::valueOf).toList())
                .withParam("poolMiB", "1536")
                .withParam("durability", "PROCESS", "SYNC")
                .withParam("txSpanMiB", "all", "10")
                .with(shots);
        // Control: the same with the JVM heap committed and touched up front. Open allocates a small
        // volatile object per run, and on a VM every first touch of a heap page is a costly fault.
        JmhRun pretouch = JmhRun.of("recovery-pretouch.json", RecoveryBenchmark.class, "recover")
                .withParam(
                        "liveMiB",
                        PRETOUCH_LIVE_MIB.stream().map(String::valueOf).toList())
                .withParam("poolMiB", "1536")
                .withParam("durability", "PROCESS")
                .withParam("txSpanMiB", "all")
                .withJvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch")
                .with(shots);
        // After a machine crash: a full 1 GiB pool opened clean and with 1% of its pages torn.
        JmhRun salvage = JmhRun.of("salvage.json", SalvageBenchmark.class, "openAndSalvage")
                .withParam("poolMiB", plan.quick() ? "256" : "1024")
                .withParam("image", "clean", "torn")
                .withParam("tornPercent", "1")
                .with(plan.quick() ? Iterations.shots(1, 1, 2) : Iterations.shots(1, 2, 7));
        return List.of(recovery, pretouch, salvage);
    }

    @Override
    public void report(SuiteResults results, StringBuilder out) {
        RecoveryTable.appendTo(
                out,
                results,
                List.of(
                        new RecoveryTable.Run("recovery.json", "default", LIVE_MIB),
                        new RecoveryTable.Run("recovery-pretouch.json", "pre-touched", PRETOUCH_LIVE_MIB)));
        out.append('\n');
        SalvageTable.appendTo(out, results.jmh("salvage.json"));
    }
}
