package dev.pmemspring.bench.suite.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The persistent map against its peers: ns/op per implementation with the ratios pmem / peer
 * (below 1 pmem is faster), from the means and from each fork's best iteration; the open time by
 * entry count; and the kill -9 verdicts. With several rounds a cell is the median of the rounds'
 * fork means, with their range, and a ratio is one of medians.
 */
public final class MapReport {

    /** The implementations in column order; the ratio columns are pmem against each of the others. */
    public static final List<String> IMPLS = List.of("pmem", "chm", "chronicle", "mapdb", "mapdb-tx");

    /**
     * A row label.
     *
     * @param method      the JMH method
     * @param readPercent the mix's read share, or null
     * @param label       the table's label
     */
    private record Op(String method, String readPercent, String label) {}

    private static final List<Op> OPS = List.of(
            new Op("getHit", null, "get (hit)"),
            new Op("getMiss", null, "get (miss)"),
            new Op("putOverwrite", null, "put (overwrite)"),
            new Op("putNew", null, "put (new key)"),
            new Op("mix", "100", "mix 100 % reads"),
            new Op("mix", "75", "mix 75 % reads"),
            new Op("mix", "25", "mix 25 % reads"));
    private static final List<Integer> VALUE_SIZES = List.of(100, 1024);
    private static final List<Integer> THREADS = List.of(1, 2);

    private record Cell(String method, String readPercent, int valueSize, int threads) {}

    private MapReport() {}

    public static void appendTo(StringBuilder out, SuiteResults results) {
        List<JmhResult> loops = new ArrayList<>();
        List<JmhResult> opens = new ArrayList<>();
        for (JmhResult r : results.jmhMatching("*.json")) {
            (r.benchmarkClass().equals("MapOpenBenchmark") ? opens : loops).add(r);
        }
        Map<Cell, Map<String, List<double[]>>> means = new HashMap<>();
        Map<Cell, Map<String, List<double[]>>> best = new HashMap<>();
        for (JmhResult r : loops) {
            if (!r.benchmarkClass().equals("MapBenchmark")) {
                continue;
            }
            // put (new key) is a single-shot batch: the score covers the whole batch.
            double per = r.mode().equals("ss") && r.method().equals("putNew") ? r.measurementBatchSize() : 1;
            Cell cell =
                    new Cell(r.method(), r.param("readPercent"), Integer.parseInt(r.param("valueSize")), r.threads());
            String impl = r.param("impl");
            Double error = r.primary().error();
            means.computeIfAbsent(cell, c -> new HashMap<>())
                    .computeIfAbsent(impl, i -> new ArrayList<>())
                    .add(new double[] {r.primary().score() / per, error == null ? Double.NaN : error / per});
            List<Double> raw = r.primary().values();
            if (!raw.isEmpty()) {
                double b = raw.stream().mapToDouble(Double::doubleValue).min().orElseThrow() / per;
                // over several rounds: the best iteration of all forks
                List<double[]> cellBest =
                        best.computeIfAbsent(cell, c -> new HashMap<>()).computeIfAbsent(impl, i -> new ArrayList<>());
                if (cellBest.isEmpty()) {
                    cellBest.add(new double[] {b, Double.NaN});
                } else {
                    cellBest.getFirst()[0] = Math.min(cellBest.getFirst()[0], b);
                }
            }
        }

        if (!means.isEmpty()) {
            out.append("Map operations, ns/op (per thread), lower is better. Ratios are pmem / peer: **below 1 pmem is"
                    + " faster**. `±` is JMH's 99.9 % confidence half-width; with several rounds a cell is the median"
                    + " of the rounds' fork means (their range in brackets), and a ratio is of medians. put (new key)"
                    + " is a single-shot batch per iteration, divided by the batch size.\n\n");
            opsTable(means).appendTo(out);
            out.append("Best iteration: the fastest measured iteration of each fork, less sensitive to other work on"
                    + " the machine than the mean, but optimistic. Ratios pmem / peer as above.\n\n");
            opsTable(best).appendTo(out);
        }
        appendOpens(out, opens);
        List<String> verdicts = results.lines("kill-probe.txt").stream()
                .filter(l -> l.contains("verdict"))
                .map(String::trim)
                .toList();
        if (!verdicts.isEmpty()) {
            out.append("kill -9 (`MapKillProbe`):\n\n");
            verdicts.forEach(v -> out.append("- ").append(v).append('\n'));
            out.append('\n');
        }
    }

    private static MarkdownTable opsTable(Map<Cell, Map<String, List<double[]>>> rows) {
        MarkdownTable table =
                new MarkdownTable().left("op").right("value", "threads").right(IMPLS.toArray(String[]::new));
        IMPLS.stream().skip(1).forEach(peer -> table.right("pmem/" + peer));
        for (Op op : OPS) {
            for (int valueSize : VALUE_SIZES) {
                for (int t : THREADS) {
                    Map<String, List<double[]>> impls = rows.get(new Cell(op.method(), op.readPercent(), valueSize, t));
                    if (impls == null) {
                        continue;
                    }
                    List<String> cells = new ArrayList<>(List.of(op.label(), valueSize + " B", Integer.toString(t)));
                    IMPLS.forEach(impl -> cells.add(cell(impls.get(impl))));
                    IMPLS.stream().skip(1).forEach(peer -> cells.add(ratio(impls.get("pmem"), impls.get(peer))));
                    table.row(cells);
                }
            }
        }
        return table;
    }

    private static void appendOpens(StringBuilder out, List<JmhResult> opens) {
        Map<Integer, Map<String, JmhResult>> byEntries = new TreeMap<>();
        for (JmhResult r : opens) {
            byEntries
                    .computeIfAbsent(Integer.parseInt(r.param("entries")), n -> new LinkedHashMap<>())
                    .put(r.method(), r);
        }
        if (byEntries.isEmpty()) {
            return;
        }
        out.append("Open a pool and its map, first get (`MapOpenBenchmark`), µs: single shots in a warm JVM, after the"
                + " pool was filled and closed. `pool only` is `PmemPool.open` alone; `map + get` is the median"
                + " difference.\n\n");
        MarkdownTable table = new MarkdownTable()
                .right(
                        "entries",
                        "open + map + get: mean ±",
                        "median",
                        "max",
                        "pool only: median",
                        "map + get (median diff)",
                        "mean / smallest");
        Double smallest = null;
        for (Map.Entry<Integer, Map<String, JmhResult>> e : byEntries.entrySet()) {
            JmhResult full = e.getValue().get("openAndGet");
            JmhResult pool = e.getValue().get("openPoolOnly");
            if (full == null) {
                continue;
            }
            double s = full.primary().score();
            smallest = smallest == null ? s : smallest;
            Double med = full.primary().percentile("50.0");
            Double max = full.primary().percentile("100.0");
            Double poolMed = pool == null ? null : pool.primary().percentile("50.0");
            Double diff = med != null && poolMed != null ? med - poolMed : null;
            Double error = full.primary().error();
            table.row(
                    Format.grouped(e.getKey(), 0),
                    micros(s) + (error == null ? "" : " ± " + micros(error)),
                    micros(med),
                    micros(max),
                    micros(poolMed),
                    micros(diff),
                    Format.ratio(s / smallest));
        }
        table.appendTo(out);
    }

    private static String micros(Double ns) {
        return ns == null ? Format.NONE : number(ns / 1000);
    }

    /** No decimals from 100 on, one below. */
    private static String number(double v) {
        return Format.grouped(v, v >= 100 ? 0 : 1);
    }

    private static String cell(List<double[]> entries) {
        if (entries == null || entries.isEmpty()) {
            return Format.NONE;
        }
        if (entries.size() == 1) {
            double[] e = entries.getFirst();
            return number(e[0]) + (Double.isNaN(e[1]) ? "" : " ± " + number(e[1]));
        }
        List<Double> scores = scores(entries);
        return number(Format.median(scores)) + " ("
                + number(scores.stream().mapToDouble(d -> d).min().orElseThrow()) + "–"
                + number(scores.stream().mapToDouble(d -> d).max().orElseThrow()) + ")";
    }

    private static String ratio(List<double[]> pmem, List<double[]> peer) {
        if (pmem == null || peer == null || pmem.isEmpty() || peer.isEmpty()) {
            return Format.NONE;
        }
        double b = Format.median(scores(peer));
        return b <= 0 ? Format.NONE : Format.ratio(Format.median(scores(pmem)) / b);
    }

    private static List<Double> scores(List<double[]> entries) {
        return entries.stream().map(e -> e[0]).filter(Objects::nonNull).toList();
    }
}
