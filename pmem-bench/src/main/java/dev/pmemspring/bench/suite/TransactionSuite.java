package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.TransactionBenchmark;
import dev.pmemspring.bench.suite.report.PmdkComparison;
import dev.pmemspring.bench.suite.report.PmdkCsv;
import dev.pmemspring.bench.suite.report.SuiteResults;

import java.util.ArrayList;
import java.util.List;

/**
 * Transactions against PMDK's: a snapshot and overwrite of a thread's own block
 * ({@code tx-snapshot}), and an allocation and a free, each in a transaction that publishes it in
 * the thread's root slot ({@code tx-alloc}), per thread count and durability mode.
 */
final class TransactionSuite implements Suite {

    static final List<Long> SNAPSHOT_SIZES = List.of(64L, 4096L);
    /** PMDK's tx-alloc size, which {@code allocFreePair} has no parameter for. */
    static final long ALLOC_SIZE = 256;

    private static final List<PmdkComparison.Loop> LOOPS = List.of(
            new PmdkComparison.Loop("tx-snapshot", "snapshotWrite", SNAPSHOT_SIZES, "tx-snapshot"),
            new PmdkComparison.Loop(
                    "tx-alloc (alloc tx + free tx, per pair)", "allocFreePair", List.of(ALLOC_SIZE), "tx-alloc"));

    @Override
    public String name() {
        return "transactions";
    }

    @Override
    public String title() {
        return "Transactions against PMDK";
    }

    @Override
    public String description() {
        return "snapshot transactions and allocation in transactions, against PMDK's tx-snapshot and tx-alloc";
    }

    @Override
    public List<Step> steps(SuitePlan plan) {
        // A transaction is far more code than an allocation: C2 needs 6-8 s of it on a 2-vCPU VM
        // before the per-op time settles (2 x 2 s of warm-up left the first measured iterations 3-5x slow).
        Iterations loop = plan.quick() ? Iterations.timed(1, 1, "1s", 2, "1s") : Iterations.timed(1, 5, "2s", 5, "2s");
        List<Step> steps = new ArrayList<>();
        List<PmdkRun.Config> pmdk = new ArrayList<>();
        pmdk.addAll(PmdkRun.loops(
                        List.of("tx-snapshot"), SNAPSHOT_SIZES, AllocatorSuite.THREADS, PmdkRun.seconds(plan.profile()))
                .configs());
        pmdk.addAll(PmdkRun.loops(
                        List.of("tx-alloc"),
                        List.of(ALLOC_SIZE),
                        AllocatorSuite.THREADS,
                        PmdkRun.seconds(plan.profile()))
                .configs());
        steps.add(new PmdkRun(pmdk));
        for (int t : AllocatorSuite.THREADS) {
            steps.add(JmhRun.of("tx-t" + t + ".json", TransactionBenchmark.class, "snapshotWrite", "allocFreePair")
                    .withThreads(t)
                    .withParam("durability", AllocatorSuite.DURABILITIES)
                    .withParam(
                            "size", SNAPSHOT_SIZES.stream().map(String::valueOf).toList())
                    // each thread's slot in the shared root block, as PMDK's tx-alloc
                    .withParam("slotIn", "root")
                    .with(loop));
        }
        return steps;
    }

    @Override
    public void report(SuiteResults results, StringBuilder out) {
        out.append(
                "Ours / PMDK (below 1 we are faster), ns per op as one thread sees it; modes as for the allocator.\n\n");
        PmdkComparison.appendTo(
                out,
                PmdkComparison.loopRows(results.jmhMatching("tx-t*.json"), LOOPS, AllocatorSuite.THREADS, ALLOC_SIZE),
                PmdkCsv.read(results.lines("pmdk.csv")));
    }
}
