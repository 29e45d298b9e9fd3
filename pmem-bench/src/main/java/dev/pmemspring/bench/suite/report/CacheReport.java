package dev.pmemspring.bench.suite.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Spring cache providers side by side: ops/s per store (all threads together) from the means
 * and from each fork's best iteration, the bytes allocated per operation, ours / peer against the
 * targets the cache issues set, and the serialization floor.
 */
public final class CacheReport {

    /** The stores in column order (those that ran). */
    public static final List<String> STORES = List.of(
            "pmem-fory",
            "pmem",
            "pmem-fory-heap",
            "pmem-heap",
            "pmem-fory-heap-1pct",
            "pmem-fory-heap-10pct",
            "pmem-heap-10pct",
            "caffeine",
            "concurrent-map",
            "ehcache-disk",
            "redis",
            "redis-async");

    private record Op(String method, String readPercent, String label) {}

    private static final List<Op> OPS = List.of(
            new Op("getHit", null, "get (hit)"), new Op("getMiss", null, "get (miss)"),
            new Op("put", null, "put (overwrite)"), new Op("mix", "100", "mix 100 % reads"),
            new Op("mix", "75", "mix 75 % reads"), new Op("mix", "25", "mix 25 % reads"));
    private static final List<Integer> THREADS = List.of(1, 2);

    /**
     * A target of the cache issue: ours / peer in ops/s on {@code op} at least {@code target}.
     *
     * @param label  what it is
     * @param op     the operation
     * @param ours   our store
     * @param peer   the peer's store
     * @param target the least ratio that meets it
     */
    private record Target(String label, Op op, String ours, String peer, double target) {}

    private static final Op GET_HIT = OPS.get(0);
    private static final Op PUT = OPS.get(2);
    private static final Op ALL_READS = OPS.get(3);
    private static final List<Target> TARGETS = List.of(
            // issue 17: hits and puts at heap-cache speed
            new Target("hits, heap tier of 1 % vs Caffeine", GET_HIT, "pmem-fory-heap-1pct", "caffeine", 0.8),
            new Target("hits, heap tier of 10 % vs Caffeine", GET_HIT, "pmem-fory-heap-10pct", "caffeine", 0.9),
            new Target("hits, no heap tier, Fory vs Caffeine", GET_HIT, "pmem-fory", "caffeine", 0.4),
            new Target("puts, Fory vs Caffeine", PUT, "pmem-fory", "caffeine", 0.5),
            new Target("hits, heap tier as large as the data vs Caffeine", GET_HIT, "pmem-fory-heap", "caffeine", 0.8),
            // issue 6: against the persistent peers, with the default serializer
            new Target("hits, no heap tier vs Ehcache disk tier", GET_HIT, "pmem-fory", "ehcache-disk", 10),
            new Target("hits, no heap tier vs Redis", GET_HIT, "pmem-fory", "redis", 50),
            new Target("puts, no heap tier vs Ehcache disk tier", PUT, "pmem-fory", "ehcache-disk", 10),
            new Target("puts, no heap tier vs Redis", PUT, "pmem-fory", "redis", 20));

    private record Cell(String method, String readPercent, int threads) {}

    private record Score(double value, Double error) {}

    private CacheReport() {}

    /** The profiler's allocation per operation, in the JSON's secondary metrics. */
    private static final String ALLOCATION = "gc.alloc.rate.norm";

    public static void appendTo(StringBuilder out, SuiteResults results) {
        Map<Cell, Map<String, Score>> means = new HashMap<>();
        Map<Cell, Map<String, Score>> best = new HashMap<>();
        Map<Cell, Map<String, Score>> allocated = new HashMap<>();
        Map<String, Score> serial = new HashMap<>();
        Map<String, Score> serialAllocated = new HashMap<>();
        for (JmhResult r : results.jmhMatching("*.json")) {
            Score score = new Score(r.primary().score(), r.primary().error());
            JmhResult.Metric bytes = r.secondary().get(ALLOCATION);
            if (r.benchmarkClass().equals("SerializationBenchmark")) {
                serial.put(r.method(), score);
                if (bytes != null) {
                    serialAllocated.put(r.method(), new Score(bytes.score(), null));
                }
                continue;
            }
            if (!r.benchmarkClass().equals("CacheBenchmark")) {
                continue;
            }
            Cell cell = new Cell(r.method(), r.param("readPercent"), r.threads());
            means.computeIfAbsent(cell, c -> new HashMap<>()).put(r.param("store"), score);
            if (bytes != null) {
                allocated
                        .computeIfAbsent(cell, c -> new HashMap<>())
                        .put(r.param("store"), new Score(bytes.score(), null));
            }
            List<Double> raw = r.primary().values();
            if (!raw.isEmpty()) {
                best.computeIfAbsent(cell, c -> new HashMap<>())
                        .put(
                                r.param("store"),
                                new Score(
                                        raw.stream()
                                                .mapToDouble(Double::doubleValue)
                                                .max()
                                                .orElseThrow(),
                                        null));
            }
        }
        List<String> present = STORES.stream()
                .filter(s -> means.values().stream().anyMatch(m -> m.containsKey(s)))
                .toList();
        if (!present.isEmpty()) {
            out.append("Spring cache, ops/s (all threads together), higher is better. `±` is JMH's 99.9 % confidence"
                    + " half-width over the measured iterations; k = 10^3, M = 10^6.\n\n");
            storesTable(means, present).appendTo(out);
            out.append("Best iteration: the fastest measured iteration of each fork, less sensitive to other work on"
                    + " the machine than the mean, but optimistic.\n\n");
            storesTable(best, present).appendTo(out);
            if (!allocated.isEmpty()) {
                out.append("Bytes allocated per operation (JMH's `-prof gc`, `" + ALLOCATION + "`; all threads"
                        + " together):\n\n");
                storesTable(allocated, present, CacheReport::bytes).appendTo(out);
            }
            appendTargets(out, means, best);
        }
        if (!serial.isEmpty()) {
            out.append("Serialization of the cached value alone (`SerializationBenchmark`, 1 thread), ops/s:\n\n");
            new MarkdownTable()
                    .left("format")
                    .right("serialize", "deserialize")
                    .row(
                            "JDK object stream (Ehcache, Redis)",
                            cell(serial.get("serialize")),
                            cell(serial.get("deserialize")))
                    .row(
                            "pmem-cache JdkValueSerializer",
                            cell(serial.get("serializeForPmem")),
                            cell(serial.get("deserializeForPmem")))
                    .row(
                            "pmem-cache ForyValueSerializer (Fory 1.6)",
                            cell(serial.get("serializeFory")),
                            cell(serial.get("deserializeFory")))
                    .row(
                            "Kryo 5, registration required",
                            cell(serial.get("serializeKryo")),
                            cell(serial.get("deserializeKryo")))
                    .appendTo(out);
            if (!serialAllocated.isEmpty()) {
                out.append("Bytes allocated per serialize / deserialize: JDK object stream "
                        + bytes(serialAllocated.get("serialize")) + " / " + bytes(serialAllocated.get("deserialize"))
                        + ", JdkValueSerializer " + bytes(serialAllocated.get("serializeForPmem")) + " / "
                        + bytes(serialAllocated.get("deserializeForPmem")) + ", ForyValueSerializer "
                        + bytes(serialAllocated.get("serializeFory")) + " / "
                        + bytes(serialAllocated.get("deserializeFory")) + ", Kryo "
                        + bytes(serialAllocated.get("serializeKryo")) + " / "
                        + bytes(serialAllocated.get("deserializeKryo")) + ".\n\n");
            }
        }
    }

    private static MarkdownTable storesTable(Map<Cell, Map<String, Score>> rows, List<String> present) {
        return storesTable(rows, present, CacheReport::cell);
    }

    /** A row per op and thread count, a column per store, each cell as {@code format} writes it. */
    private static MarkdownTable storesTable(
            Map<Cell, Map<String, Score>> rows, List<String> present, Function<Score, String> format) {
        MarkdownTable table = new MarkdownTable().left("op").right("threads").right(present.toArray(String[]::new));
        for (Op op : OPS) {
            for (int t : THREADS) {
                Map<String, Score> stores = rows.get(new Cell(op.method(), op.readPercent(), t));
                if (stores != null) {
                    List<String> cells = new ArrayList<>(List.of(op.label(), Integer.toString(t)));
                    present.forEach(s -> cells.add(format.apply(stores.get(s))));
                    table.row(cells);
                }
            }
        }
        return table;
    }

    private static String bytes(Score s) {
        return s == null ? Format.NONE : Long.toString(Math.round(s.value())) + " B";
    }

    private static void appendTargets(
            StringBuilder out, Map<Cell, Map<String, Score>> means, Map<Cell, Map<String, Score>> best) {
        MarkdownTable table = new MarkdownTable()
                .left("what", "ours / peer")
                .right("target", "1 thread", "2 threads")
                .left("met (means)");
        for (Target target : TARGETS) {
            List<Double> r = THREADS.stream().map(t -> ratio(target, t, means)).toList();
            List<Double> b = THREADS.stream().map(t -> ratio(target, t, best)).toList();
            if (r.stream().allMatch(x -> x == null)) {
                continue;
            }
            String met = r.stream().allMatch(x -> x != null && x >= target.target())
                    ? "yes"
                    : r.stream().allMatch(x -> x != null && x < target.target()) ? "no" : "partly";
            List<String> cells = new ArrayList<>(
                    List.of(target.label(), target.ours() + " / " + target.peer(), "≥ " + trim(target.target())));
            for (int i = 0; i < THREADS.size(); i++) {
                Double x = r.get(i);
                Double y = b.get(i);
                cells.add(
                        x == null
                                ? Format.NONE
                                : y == null ? Format.ratio(x) : Format.ratio(x) + " (" + Format.ratio(y) + ")");
            }
            cells.add(met);
            table.row(cells);
        }
        if (!table.isEmpty()) {
            out.append("Against the targets: ours / peer in ops/s (higher is better), from the means and, in brackets,"
                    + " from the best iterations.\n\n");
            table.appendTo(out);
        }
    }

    private static Double ratio(Target target, int threads, Map<Cell, Map<String, Score>> table) {
        Map<String, Score> stores =
                table.getOrDefault(new Cell(target.op().method(), target.op().readPercent(), threads), Map.of());
        Score a = stores.get(target.ours());
        Score b = stores.get(target.peer());
        return a == null || b == null || b.value() <= 0 ? null : a.value() / b.value();
    }

    private static String cell(Score s) {
        return s == null
                ? Format.NONE
                : Format.ops(s.value()) + (s.error() == null ? "" : " ± " + Format.ops(s.error()));
    }

    /** {@code 0.8}, {@code 10}: as Python's {@code :g}. */
    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
