package dev.pmemspring.bench.suite.report;

import java.util.List;

/**
 * Coming back after a machine crash (ours only): medians of {@code SalvageBenchmark}'s shots of
 * opening a full pool and its map, clean and with pages torn, the entries the salvage kept,
 * dropped and lost per shot, and the torn open's ratio to the clean one.
 */
public final class SalvageTable {

    private SalvageTable() {}

    public static void appendTo(StringBuilder out, List<JmhResult> results) {
        if (results.isEmpty()) {
            return;
        }
        out.append("After a machine crash (ours; open of a full pool and its map, process durability; torn ="
                + " the shutdown mark of a machine crash and that share of the data pages zeroed, so every entry is"
                + " verified; lost = entries whose slot was on a torn page; medians, in ms):\n\n");
        MarkdownTable table = new MarkdownTable()
                .left("image")
                .right("pool", "torn pages", "shots", "open", "open, min - max", "kept", "dropped", "lost", "ratio");
        double clean = results.stream()
                .filter(r -> r.param("image").equals("clean"))
                .mapToDouble(SalvageTable::medianNanos)
                .findFirst()
                .orElse(Double.NaN);
        for (JmhResult r : results) {
            List<Double> shots = nanos(r);
            String torn = r.param("image").equals("clean") ? "0" : r.param("tornPercent") + "%";
            table.row(
                    r.param("image"),
                    Format.bytes(Long.parseLong(r.param("poolMiB")) << 20),
                    torn,
                    Integer.toString(shots.size()),
                    Format.millis(Format.median(shots)),
                    Format.millis(shots.stream()
                                    .mapToDouble(Double::doubleValue)
                                    .min()
                                    .orElseThrow()) + " - "
                            + Format.millis(shots.stream()
                                    .mapToDouble(Double::doubleValue)
                                    .max()
                                    .orElseThrow()),
                    perShot(r, "kept", shots.size()),
                    perShot(r, "dropped", shots.size()),
                    perShot(r, "lost", shots.size()),
                    Double.isNaN(clean) ? Format.NONE : Format.ratio(Format.median(shots) / clean));
        }
        table.appendTo(out);
    }

    private static List<Double> nanos(JmhResult r) {
        double unit = r.primary().nanosPerUnit();
        return r.primary().values().stream().map(v -> v * unit).toList();
    }

    private static double medianNanos(JmhResult r) {
        return Format.median(nanos(r));
    }

    /** An event counter's mean per shot (JMH sums them over the iterations). */
    private static String perShot(JmhResult r, String counter, int shots) {
        JmhResult.Metric m = r.secondary().get(counter);
        if (m == null || shots == 0) {
            return Format.NONE;
        }
        double sum = m.values().stream().mapToDouble(Double::doubleValue).sum();
        return Format.objects(Math.round(sum / shots));
    }
}
