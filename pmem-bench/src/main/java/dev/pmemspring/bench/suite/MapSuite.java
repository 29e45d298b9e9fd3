package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.MapBenchmark;
import dev.pmemspring.bench.MapKillProbe;
import dev.pmemspring.bench.MapOpenBenchmark;
import dev.pmemspring.bench.suite.report.MapReport;
import dev.pmemspring.bench.suite.report.SuiteResults;
import org.openjdk.jmh.annotations.Fork;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The persistent map against its peers (the in-heap ceiling, Chronicle Map, MapDB without and
 * with transactions): gets, puts and read/write mixes at one and two threads; the time to open a
 * filled map; and which persisted peers survive {@code kill -9}.
 */
final class MapSuite implements Suite {

    static final List<String> IMPLS = List.of("pmem", "chm", "chronicle", "mapdb", "mapdb-tx");
    /** The persisted ones, for the kill -9 probe. */
    static final List<String> KILL_IMPLS = List.of("pmem", "chronicle", "mapdb", "mapdb-tx");

    static final List<String> LOOP_OPS = List.of("getHit", "getMiss", "putOverwrite", "mix");
    static final String PRELOADED_KEYS = "100000";
    /**
     * New-key puts per thread per single shot. MapDB with a commit per put takes about a
     * millisecond a put, so it gets smaller batches (the score is divided by the batch size either way).
     */
    static final int PUT_NEW_BATCH = 20_000;

    static final int PUT_NEW_BATCH_TX = 500;

    /**
     * What Chronicle Map needs on JDK 17+, for the kill probe's JVMs: the module flags and the
     * Chronicle property of MapBenchmark's @Fork, read from it so that the two never differ.
     */
    static final List<String> CHRONICLE_JVM_ARGS = Arrays.stream(
                    MapBenchmark.class.getAnnotation(Fork.class).jvmArgsAppend())
            .filter(arg -> arg.startsWith("--add-") || arg.startsWith("-Dchronicle."))
            .toList();

    @Override
    public String name() {
        return "map";
    }

    @Override
    public String title() {
        return "Persistent map against Chronicle Map and MapDB";
    }

    @Override
    public String description() {
        return "PmemMap against ConcurrentHashMap, Chronicle Map, MapDB (with and without transactions); open; kill -9";
    }

    /**
     * With two threads on a 2-vCPU VM a fork's mean depends on where the host runs the vCPUs, which
     * changes from fork to fork (docs/benchmarks.md, persistent map): rounds give every impl a fork
     * per round, and the report shows medians.
     */
    @Override
    public boolean repeatsInRounds() {
        return true;
    }

    @Override
    public List<Step> steps(SuitePlan plan) {
        List<String> valueSizes = plan.quick() ? List.of("100") : List.of("100", "1024");
        List<String> readPercents = plan.quick() ? List.of("75") : List.of("100", "75", "25");
        // Full: 5 impls x 2 sizes x 2 thread counts x 6 ops is 120 forks, and the run has to stay near
        // 30 minutes on 2 vCPUs: so one 5 s warm-up and 3 x 1 s measured. The warm-up must be that
        // long: the off-heap maps run 5-10x slower for the first ~5 s of a fork while C2 compiles
        // their code (the compiler has one vCPU, the benchmark the other).
        Iterations loop =
                plan.quick() ? Iterations.timed(1, 1, "500ms", 2, "500ms") : Iterations.timed(1, 1, "5s", 3, "1s");
        Iterations putNew = plan.quick() ? Iterations.shots(1, 3, 3) : Iterations.shots(1, 5, 10);
        Iterations open = plan.quick() ? Iterations.shots(1, 2, 3) : Iterations.shots(1, 5, 15);
        int kills = plan.quick() ? 1 : 3;
        List<String> fastImpls =
                IMPLS.stream().filter(i -> !i.equals("mapdb-tx")).toList();

        List<Step> steps = new ArrayList<>();
        for (int round = 1; round <= plan.rounds(); round++) {
            // one round's files are suffixed -r<round> when there are several rounds
            String suffix = plan.rounds() == 1 ? "" : "-r" + round;
            for (int t : AllocatorSuite.THREADS) {
                steps.add(JmhRun.of("map-t" + t + suffix + ".json", MapBenchmark.class, LOOP_OPS.toArray(String[]::new))
                        .withThreads(t)
                        .withParam("impl", IMPLS)
                        .withParam("valueSize", valueSizes)
                        .withParam("keys", PRELOADED_KEYS)
                        .withParam("readPercent", readPercents)
                        .with(loop));
                steps.add(JmhRun.of("map-putnew-t" + t + suffix + ".json", MapBenchmark.class, "putNew")
                        .withThreads(t)
                        .withParam("impl", fastImpls)
                        .withParam("valueSize", valueSizes)
                        .withParam("keys", PRELOADED_KEYS)
                        .with(putNew)
                        .withBatchSize(PUT_NEW_BATCH));
                steps.add(JmhRun.of("map-putnew-tx-t" + t + suffix + ".json", MapBenchmark.class, "putNew")
                        .withThreads(t)
                        .withParam("impl", "mapdb-tx")
                        .withParam("valueSize", valueSizes)
                        .withParam("keys", PRELOADED_KEYS)
                        .with(putNew)
                        .withBatchSize(PUT_NEW_BATCH_TX));
            }
        }
        steps.add(JmhRun.of("map-open.json", MapOpenBenchmark.class, "openAndGet", "openPoolOnly")
                .withParam("entries", "10000", "100000", "1000000")
                .with(open));
        for (String impl : KILL_IMPLS) {
            List<String> jvmArgs = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
            jvmArgs.addAll(CHRONICLE_JVM_ARGS);
            steps.add(new ProgramRun(
                    MapKillProbe.class,
                    jvmArgs,
                    List.of(impl, Integer.toString(kills)),
                    "kill-probe.txt",
                    "kill-probe.log",
                    false,
                    Map.of("impl", impl)));
        }
        return steps;
    }

    @Override
    public void report(SuiteResults results, StringBuilder out) {
        MapReport.appendTo(out, results);
    }
}
