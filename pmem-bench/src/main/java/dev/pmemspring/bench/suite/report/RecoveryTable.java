package dev.pmemspring.bench.suite.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Recovery after a crash by amount of live data (ours only): per configuration the medians of
 * {@code RecoveryBenchmark}'s single shots of {@code PmemPool.open}, of the pool's own
 * {@code RecoveryReport.time()} and of the opening thread's CPU time (its secondary results, one
 * value per shot), and their ratios to the smallest live size of the same mode and heap.
 */
public final class RecoveryTable {

    /**
     * One results file of the recovery suite.
     *
     * @param file     the JSON file
     * @param heap     the label of the JVM heap it ran with
     * @param liveMiB  the live sizes the suite asks for in it (one not in the results shows as missing)
     */
    public record Run(String file, String heap, List<Integer> liveMiB) {}

    private record Config(String mode, int liveMiB, String txSpan) {}

    private record Shots(List<Double> opens, List<Double> reports, List<Double> cpus, String poolMiB) {
        static final Shots NONE = new Shots(List.of(), List.of(), List.of(), null);
    }

    private RecoveryTable() {}

    public static void appendTo(StringBuilder out, SuiteResults results, List<Run> runs) {
        List<Map<Config, Shots>> shotsOfRun =
                runs.stream().map(r -> shots(results.jmh(r.file()))).toList();
        if (shotsOfRun.stream().allMatch(Map::isEmpty)) {
            return;
        }
        out.append("Recovery after a crash (ours; one interrupted transaction rolled back per shot; medians, in ms;"
                + " ratio = this row / the smallest live data of the same mode and heap; tx span = how much of the"
                + " live data the interrupted transaction's blocks are spread over; heap pre-touched ="
                + " -Xms2g -Xmx2g -XX:+AlwaysPreTouch):\n\n");
        MarkdownTable table = new MarkdownTable()
                .left("JVM heap", "mode")
                .right(
                        "live data",
                        "tx span",
                        "pool",
                        "shots",
                        "open",
                        "open, min - max",
                        "RecoveryReport.time",
                        "opening thread's CPU",
                        "ratio (open)",
                        "ratio (report)");
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            Map<Config, Shots> shots = shotsOfRun.get(i);
            if (shots.isEmpty()) {
                continue;
            }
            int smallest = run.liveMiB().getFirst();
            for (String mode : PmdkComparison.MODES) {
                if (shots.keySet().stream().noneMatch(k -> k.mode().equals(mode))) {
                    continue; // a mode this file was not run in
                }
                Shots base = shots.getOrDefault(new Config(mode, smallest, "all"), Shots.NONE);
                // What the suite asks for, plus whatever else the file holds. A span that covers all
                // the live data is the same configuration as "all": not repeated.
                Set<Config> configs = new LinkedHashSet<>();
                run.liveMiB().forEach(live -> configs.add(new Config(mode, live, "all")));
                shots.keySet().stream().filter(k -> k.mode().equals(mode)).forEach(configs::add);
                List<Config> rows = new ArrayList<>(configs.stream()
                        .filter(k -> k.txSpan().equals("all") || Integer.parseInt(k.txSpan()) < k.liveMiB())
                        .toList());
                rows.sort(Comparator.comparing((Config k) -> !k.txSpan().equals("all"))
                        .thenComparingInt(Config::liveMiB));
                for (Config k : rows) {
                    String span = k.txSpan().equals("all") ? "all" : Format.bytes(Long.parseLong(k.txSpan()) << 20);
                    String live = Format.bytes((long) k.liveMiB() << 20);
                    Shots s = shots.getOrDefault(k, Shots.NONE);
                    if (s.opens().isEmpty()) {
                        table.row(
                                run.heap(), mode, live, span, "", "0", "missing", "", "", "", Format.NONE, Format.NONE);
                        continue;
                    }
                    String pool = s.poolMiB() == null ? "" : Format.bytes(Long.parseLong(s.poolMiB()) << 20);
                    table.row(
                            run.heap(),
                            mode,
                            live,
                            span,
                            pool,
                            Integer.toString(s.opens().size()),
                            medianMillis(s.opens()),
                            Format.millis(min(s.opens())) + " - " + Format.millis(max(s.opens())),
                            medianMillis(s.reports()),
                            medianMillis(s.cpus()),
                            ratio(s.opens(), base.opens()),
                            ratio(s.reports(), base.reports()));
                }
            }
        }
        table.appendTo(out);
    }

    private static Map<Config, Shots> shots(List<JmhResult> results) {
        Map<Config, Shots> shots = new HashMap<>();
        for (JmhResult r : results) {
            double unit = r.primary().nanosPerUnit();
            Config k = new Config(
                    r.param("durability").toLowerCase(Locale.ROOT),
                    Integer.parseInt(r.param("liveMiB")),
                    r.params().getOrDefault("txSpanMiB", "all"));
            shots.put(
                    k,
                    new Shots(
                            r.primary().values().stream().map(v -> v * unit).toList(),
                            aux(r, "recoveryNanos"),
                            aux(r, "openCpuNanos"),
                            r.param("poolMiB")));
        }
        return shots;
    }

    /** A secondary result's values, one per shot, already in ns. */
    private static List<Double> aux(JmhResult r, String name) {
        JmhResult.Metric m = r.secondary().get(name);
        return m == null ? List.of() : m.values();
    }

    private static String medianMillis(List<Double> values) {
        return values.isEmpty() ? "n/a" : Format.millis(Format.median(values));
    }

    private static String ratio(List<Double> values, List<Double> base) {
        return values.isEmpty() || base.isEmpty()
                ? Format.NONE
                : Format.ratio(Format.median(values) / Format.median(base));
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
}
