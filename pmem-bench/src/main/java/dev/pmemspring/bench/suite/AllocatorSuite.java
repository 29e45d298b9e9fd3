package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.AllocatorBenchmark;
import dev.pmemspring.bench.suite.report.PmdkComparison;
import dev.pmemspring.bench.suite.report.PmdkCsv;
import dev.pmemspring.bench.suite.report.SuiteResults;

import java.util.ArrayList;
import java.util.List;

/**
 * The persistent allocator against PMDK's libpmemobj: an allocation immediately freed, with the
 * handle in a Java local ({@code alloc-free}) and published into a persistent field
 * ({@code alloc-into-free}), per size, thread count and durability mode, both sides on the same
 * machine in the same run.
 */
final class AllocatorSuite implements Suite {

    static final List<Long> SIZES = List.of(64L, 256L, 4096L, 1L << 20);
    static final List<Integer> THREADS = List.of(1, 2);
    static final List<String> DURABILITIES = List.of("PROCESS", "SYNC");

    private static final List<PmdkComparison.Loop> LOOPS = List.of(
            new PmdkComparison.Loop("alloc-free", "allocateFree", SIZES, "alloc-free"),
            new PmdkComparison.Loop("alloc-into-free (published)", "allocateIntoFree", SIZES, "alloc-into-free"));

    @Override
    public String name() {
        return "allocator";
    }

    @Override
    public String title() {
        return "Allocator against PMDK";
    }

    @Override
    public String description() {
        return "allocate + free, unpublished and published, against PMDK's alloc-free and alloc-into-free";
    }

    @Override
    public List<Step> steps(SuitePlan plan) {
        Iterations loop = plan.quick() ? Iterations.timed(1, 1, "1s", 2, "1s") : Iterations.timed(1, 2, "2s", 5, "2s");
        List<Step> steps = new ArrayList<>();
        steps.add(PmdkRun.loops(
                List.of("alloc-free", "alloc-into-free"), SIZES, THREADS, PmdkRun.seconds(plan.profile())));
        for (int t : THREADS) {
            steps.add(JmhRun.of("alloc-t" + t + ".json", AllocatorBenchmark.class, "allocateFree", "allocateIntoFree")
                    .withThreads(t)
                    .withParam("size", SIZES.stream().map(String::valueOf).toList())
                    .withParam("durability", DURABILITIES)
                    .with(loop));
        }
        return steps;
    }

    @Override
    public void report(SuiteResults results, StringBuilder out) {
        out.append("The ratio is ours / PMDK: **below 1 we are faster**. `±` is JMH's 99.9 % confidence half-width;"
                + " PMDK gives one number per configuration (one measured window), so its own noise is not shown."
                + " `process`: our PROCESS durability against PMDK with PMEM_IS_PMEM_FORCE=1 PMEM_NO_FLUSH=1 (fences"
                + " only); `sync`: our SYNC against PMDK's default msync path. ns per op as one thread sees it.\n\n");
        PmdkComparison.appendTo(
                out,
                PmdkComparison.loopRows(results.jmhMatching("alloc-t*.json"), LOOPS, THREADS, 0),
                PmdkCsv.read(results.lines("pmdk.csv")));
    }
}
