package dev.pmemspring.bench.suite.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Our JMH rows beside their PMDK counterparts, as one table with the ratio ours / PMDK (below 1
 * we are faster), followed by the PMDK rows that have no counterpart of ours. A row JMH did not
 * report (it failed, see its log, or {@code --only} left it out) says "missing", not dropped; a
 * row PMDK did not report says "pending".
 */
public final class PmdkComparison {

    /** The modes, in table order; our {@code durability} in lower case names the same mode. */
    static final List<String> MODES = List.of("process", "sync");

    /**
     * One row.
     *
     * @param label   the benchmark's label in the table
     * @param mode    {@code process} or {@code sync}
     * @param param   size in bytes, or live objects
     * @param objects whether {@code param} counts objects
     * @param threads threads
     * @param ours    our ns/op, or null if the run did not report it
     * @param error   its 99.9 % half-width in ns, or null
     * @param pmdk    the PMDK row it is compared with
     */
    public record Row(
            String label,
            String mode,
            long param,
            boolean objects,
            int threads,
            Double ours,
            Double error,
            PmdkCsv.Key pmdk) {}

    /**
     * A loop benchmark and its PMDK counterpart.
     *
     * @param label         the table's label
     * @param method        our JMH method
     * @param sizes         the sizes the suite runs it with
     * @param pmdkBenchmark PMDK's benchmark
     */
    public record Loop(String label, String method, List<Long> sizes, String pmdkBenchmark) {}

    private PmdkComparison() {}

    /**
     * Rows of average-time loop results: for each loop, mode, size and thread count. A result without
     * a {@code size} parameter counts as {@code defaultSize}.
     */
    public static List<Row> loopRows(
            List<JmhResult> results, List<Loop> loops, List<Integer> threads, long defaultSize) {
        record Found(double ns, Double error) {}
        Map<List<Object>, Found> found = new HashMap<>();
        for (JmhResult r : results) {
            String size = r.param("size");
            double unit = r.primary().nanosPerUnit();
            Double error = r.primary().error() == null ? null : r.primary().error() * unit;
            found.put(
                    List.of(
                            r.method(),
                            r.param("durability").toLowerCase(java.util.Locale.ROOT),
                            size == null ? defaultSize : Long.parseLong(size),
                            r.threads()),
                    new Found(r.primary().score() * unit, error));
        }
        List<Row> rows = new ArrayList<>();
        for (Loop loop : loops) {
            for (String mode : MODES) {
                for (long size : loop.sizes()) {
                    for (int t : threads) {
                        Found f = found.get(List.of(loop.method(), mode, size, t));
                        rows.add(new Row(
                                loop.label(),
                                mode,
                                size,
                                false,
                                t,
                                f == null ? null : f.ns(),
                                f == null ? null : f.error(),
                                new PmdkCsv.Key(loop.pmdkBenchmark(), mode, size, t)));
                    }
                }
            }
        }
        return rows;
    }

    /**
     * Rows of single-shot results by {@code objects}: the median over all shots of all forks, as
     * PMDK reports the median of its samples. In {@code process} mode only.
     */
    public static List<Row> shotRows(List<JmhResult> results, String label, String pmdkBenchmark, List<Long> objects) {
        Map<Long, List<Double>> shotsOf = new HashMap<>();
        for (JmhResult r : results) {
            double unit = r.primary().nanosPerUnit();
            shotsOf.put(
                    Long.parseLong(r.param("objects")),
                    r.primary().values().stream().map(v -> v * unit).toList());
        }
        List<Row> rows = new ArrayList<>();
        for (long n : objects) {
            List<Double> shots = shotsOf.getOrDefault(n, List.of());
            String labelN = shots.isEmpty() ? label : label + ", median of " + shots.size();
            rows.add(new Row(
                    labelN,
                    "process",
                    n,
                    true,
                    1,
                    shots.isEmpty() ? null : Format.median(shots),
                    null,
                    new PmdkCsv.Key(pmdkBenchmark, "process", n, 1)));
        }
        return rows;
    }

    /** The comparison table, then the PMDK rows (of {@code pmdk}) that no row of ours named. */
    public static void appendTo(StringBuilder out, List<Row> rows, Map<PmdkCsv.Key, Double> pmdk) {
        MarkdownTable table = new MarkdownTable()
                .left("benchmark", "mode")
                .right("size/objects", "threads", "ours ns/op", "PMDK ns/op", "ratio (ours/PMDK)");
        Set<PmdkCsv.Key> used = new HashSet<>();
        for (Row row : rows) {
            String ours = row.ours() == null
                    ? "missing"
                    : Format.nanos(row.ours()) + (row.error() == null ? "" : " ± " + Format.nanos(row.error()));
            Double theirs = pmdk.get(row.pmdk());
            String theirsCell = "pending";
            String ratio = Format.NONE;
            if (theirs != null) {
                used.add(row.pmdk());
                theirsCell = Format.nanos(theirs);
                if (row.ours() != null) {
                    ratio = Format.ratio(row.ours() / theirs);
                }
            }
            table.row(
                    row.label(),
                    row.mode(),
                    row.objects() ? Format.objects(row.param()) : Format.bytes(row.param()),
                    Integer.toString(row.threads()),
                    ours,
                    theirsCell,
                    ratio);
        }
        table.appendTo(out);
        if (rows.stream().anyMatch(r -> r.ours() == null) || rows.stream().anyMatch(r -> !pmdk.containsKey(r.pmdk()))) {
            out.append("`missing`: not in this run's JMH results (the benchmark failed, see its log, or `--only` left"
                    + " it out); `pending`: PMDK did not report it (not run, or failed: see pmdk.log).\n\n");
        }

        List<PmdkCsv.Key> rest =
                pmdk.keySet().stream().filter(k -> !used.contains(k)).sorted().toList();
        if (!rest.isEmpty()) {
            out.append("PMDK rows without a counterpart of ours in this run:\n\n");
            MarkdownTable others =
                    new MarkdownTable().left("benchmark", "mode").right("param", "threads", "PMDK ns/op");
            for (PmdkCsv.Key k : rest) {
                others.row(
                        k.benchmark(),
                        k.mode(),
                        Long.toString(k.param()),
                        Integer.toString(k.threads()),
                        Format.nanos(pmdk.get(k)));
            }
            others.appendTo(out);
        }
    }
}
