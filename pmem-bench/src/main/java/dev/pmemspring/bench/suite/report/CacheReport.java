package dev.pmemspring.bench.suite.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
            "ehcache-offheap",
            "ehcache-disk",
            "redis",
            "redis-async");

    private record Op(String method, String readPercent, String label) {}

    private static final Op GET_HIT = new Op("getHit", null, "get (hit)");
    private static final Op GET_HIT_READ = new Op("getHitAndRead", null, "get (hit), value read");
    private static final Op PUT = new Op("put", null, "put (overwrite)");
    private static final Op ALL_READS = new Op("mix", "100", "mix 100 % reads");
    private static final List<Op> OPS = List.of(
            GET_HIT,
            GET_HIT_READ,
            new Op("getMiss", null, "get (miss)"),
            PUT,
            ALL_READS,
            new Op("mix", "75", "mix 75 % reads"),
            new Op("mix", "25", "mix 25 % reads"));
    private static final List<Integer> THREADS = List.of(1, 2);

    /**
     * A target of the cache issue: ours / peer in ops/s on {@code op} at least {@code target}; or,
     * with no target, a ratio shown beside them.
     *
     * @param label  what it is
     * @param op     the operation
     * @param ours   our store
     * @param peer   the peer's store
     * @param target the least ratio that meets it, or null for a ratio shown for comparison only
     */
    private record Target(String label, Op op, String ours, String peer, Double target) {}

    private static final List<Target> TARGETS = List.of(
            // issue 17: hits and puts at heap-cache speed
            new Target("hits, heap tier of 1 % vs Caffeine", GET_HIT, "pmem-fory-heap-1pct", "caffeine", 0.8),
            new Target("hits, heap tier of 10 % vs Caffeine", GET_HIT, "pmem-fory-heap-10pct", "caffeine", 0.9),
            new Target("hits, no heap tier, Fory vs Caffeine", GET_HIT, "pmem-fory", "caffeine", 0.4),
            new Target("puts, Fory vs Caffeine", PUT, "pmem-fory", "caffeine", 0.5),
            new Target("hits, heap tier as large as the data vs Caffeine", GET_HIT, "pmem-fory-heap", "caffeine", 0.8),
            // no target: the hit's value read by the caller, as an application reads it
            new Target(
                    "hits with the value read, no heap tier, Fory vs Caffeine",
                    GET_HIT_READ,
                    "pmem-fory",
                    "caffeine",
                    null),
            new Target(
                    "hits with the value read, heap tier of 1 % vs Caffeine",
                    GET_HIT_READ, "pmem-fory-heap-1pct", "caffeine", null),
            // no target: against the store that keeps entries off the heap without persistence
            new Target("hits, no heap tier vs Ehcache off-heap", GET_HIT, "pmem-fory", "ehcache-offheap", null),
            new Target(
                    "hits, no heap tier, both Java serialization, vs Ehcache off-heap",
                    GET_HIT,
                    "pmem",
                    "ehcache-offheap",
                    null),
            new Target("puts, no heap tier vs Ehcache off-heap", PUT, "pmem-fory", "ehcache-offheap", null),
            // issue 6: against the persistent peers, with the default serializer
            new Target("hits, no heap tier vs Ehcache disk tier", GET_HIT, "pmem-fory", "ehcache-disk", 10.0),
            new Target("hits, no heap tier vs Redis", GET_HIT, "pmem-fory", "redis", 50.0),
            new Target("puts, no heap tier vs Ehcache disk tier", PUT, "pmem-fory", "ehcache-disk", 10.0),
            new Target("puts, no heap tier vs Redis", PUT, "pmem-fory", "redis", 20.0));

    private record Cell(String method, String readPercent, int threads) {}

    private record Score(double value, Double error) {}

    private CacheReport() {}

    /** The profiler's allocation per operation, in the JSON's secondary metrics. */
    private static final String ALLOCATION = "gc.alloc.rate.norm";

    /** One round's figures: per cell and store the fork's mean, its best iteration, and the allocation. */
    private record Round(
            Map<Cell, Map<String, Score>> means,
            Map<Cell, Map<String, Score>> best,
            Map<Cell, Map<String, Score>> allocated) {}

    public static void appendTo(StringBuilder out, SuiteResults results) {
        List<Round> rounds = new ArrayList<>();
        for (List<JmhResult> round : rounds(results)) {
            rounds.add(round(round));
        }
        Map<String, Score> serial = new HashMap<>();
        Map<String, Score> serialAllocated = new HashMap<>();
        for (JmhResult r : results.jmh("serialization.json")) {
            serial.put(r.method(), new Score(r.primary().score(), r.primary().error()));
            JmhResult.Metric bytes = r.secondary().get(ALLOCATION);
            if (bytes != null) {
                serialAllocated.put(r.method(), new Score(bytes.score(), null));
            }
        }
        Map<Cell, Map<String, Score>> means = combined(rounds, Round::means, CacheReport::median);
        Map<Cell, Map<String, Score>> best = combined(rounds, Round::best, v -> Collections.max(v));
        Map<Cell, Map<String, Score>> allocated = combined(rounds, Round::allocated, CacheReport::median);
        List<String> present = STORES.stream()
                .filter(s -> means.values().stream().anyMatch(m -> m.containsKey(s)))
                .toList();
        if (!present.isEmpty()) {
            out.append("Spring cache, ops/s (all threads together), higher is better. "
                    + (rounds.size() == 1
                            ? "`±` is JMH's 99.9 % confidence half-width over the measured iterations"
                            : "Each cell is the median of " + rounds.size() + " rounds' fork means")
                    + "; k = 10^3, M = 10^6.\n\n");
            storesTable(means, present).appendTo(out);
            out.append((rounds.size() == 1
                            ? "Best iteration: the fastest measured iteration of each fork"
                            : "Best iteration: the fastest measured iteration of all rounds' forks (more optimistic"
                                    + " the more rounds)")
                    + ", less sensitive to other work on the machine than the mean, but optimistic.\n\n");
            storesTable(best, present).appendTo(out);
            if (!allocated.isEmpty()) {
                out.append("Bytes allocated per operation (JMH's `-prof gc`, `" + ALLOCATION + "`; all threads"
                        + " together):\n\n");
                storesTable(allocated, present, CacheReport::bytes).appendTo(out);
            }
            appendTargets(out, rounds);
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

    private static final Pattern ROUND_FILE = Pattern.compile(".*-r(\\d+)\\.json");

    /**
     * The JMH results round by round, grouped by the {@code -r<round>} of their files' names (a
     * round whose files all failed is missing, the others stay apart); run once, all as one round.
     */
    private static List<List<JmhResult>> rounds(SuiteResults results) {
        Map<Integer, List<JmhResult>> byRound = new TreeMap<>();
        for (String name : results.names("*.json")) {
            Matcher m = ROUND_FILE.matcher(name);
            if (m.matches()) {
                byRound.computeIfAbsent(Integer.parseInt(m.group(1)), r -> new ArrayList<>())
                        .addAll(results.jmh(name));
            }
        }
        if (byRound.isEmpty()) {
            return List.of(results.jmhMatching("*.json"));
        }
        return new ArrayList<>(byRound.values());
    }

    private static Round round(List<JmhResult> results) {
        Round round = new Round(new HashMap<>(), new HashMap<>(), new HashMap<>());
        for (JmhResult r : results) {
            if (!r.benchmarkClass().equals("CacheBenchmark")) {
                continue;
            }
            Cell cell = new Cell(r.method(), r.param("readPercent"), r.threads());
            String store = r.param("store");
            round.means()
                    .computeIfAbsent(cell, c -> new HashMap<>())
                    .put(store, new Score(r.primary().score(), r.primary().error()));
            JmhResult.Metric bytes = r.secondary().get(ALLOCATION);
            if (bytes != null) {
                round.allocated()
                        .computeIfAbsent(cell, c -> new HashMap<>())
                        .put(store, new Score(bytes.score(), null));
            }
            List<Double> raw = r.primary().values();
            if (!raw.isEmpty()) {
                double top = raw.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                round.best().computeIfAbsent(cell, c -> new HashMap<>()).put(store, new Score(top, null));
            }
        }
        return round;
    }

    /** One table from the rounds': a single round as it is, several by {@code combine} over their values. */
    private static Map<Cell, Map<String, Score>> combined(
            List<Round> rounds,
            Function<Round, Map<Cell, Map<String, Score>>> table,
            Function<List<Double>, Double> combine) {
        if (rounds.size() == 1) {
            return table.apply(rounds.getFirst());
        }
        Map<Cell, Map<String, List<Double>>> values = new HashMap<>();
        for (Round round : rounds) {
            table.apply(round)
                    .forEach((cell, stores) ->
                            stores.forEach((store, score) -> values.computeIfAbsent(cell, c -> new HashMap<>())
                                    .computeIfAbsent(store, x -> new ArrayList<>())
                                    .add(score.value())));
        }
        Map<Cell, Map<String, Score>> out = new HashMap<>();
        values.forEach((cell, stores) -> stores.forEach((store, v) ->
                out.computeIfAbsent(cell, c -> new HashMap<>()).put(store, new Score(combine.apply(v), null))));
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Each target's ratio, ours / peer, from the means of the same run (round): run once, with the
     * ratio of the best iterations in brackets; in rounds, the median of the rounds' ratios with
     * their range. The two stores of a round ran minutes apart, so the machine's drift moves a
     * ratio within a round less than one between rounds.
     */
    private static void appendTargets(StringBuilder out, List<Round> rounds) {
        MarkdownTable table = new MarkdownTable()
                .left("what", "ours / peer")
                .right("target", "1 thread", "2 threads")
                .left(rounds.size() == 1 ? "met (means)" : "met (medians)");
        for (Target target : TARGETS) {
            List<List<Double>> perRound = THREADS.stream()
                    .map(t -> rounds.stream()
                            .map(r -> ratio(target, t, r.means()))
                            .filter(x -> x != null)
                            .toList())
                    .toList();
            if (perRound.stream().allMatch(List::isEmpty)) {
                continue;
            }
            List<Double> r =
                    perRound.stream().map(v -> v.isEmpty() ? null : median(v)).toList();
            Double least = target.target();
            String met = least == null
                    ? Format.NONE
                    : r.stream().allMatch(x -> x != null && x >= least)
                            ? "yes"
                            : r.stream().allMatch(x -> x != null && x < least) ? "no" : "partly";
            List<String> cells = new ArrayList<>(List.of(
                    target.label(),
                    target.ours() + " / " + target.peer(),
                    least == null ? "none" : "≥ " + trim(least)));
            for (int i = 0; i < THREADS.size(); i++) {
                Double x = r.get(i);
                if (x == null) {
                    cells.add(Format.NONE);
                } else if (rounds.size() == 1) {
                    Double y = ratio(target, THREADS.get(i), rounds.getFirst().best());
                    cells.add(y == null ? Format.ratio(x) : Format.ratio(x) + " (" + Format.ratio(y) + ")");
                } else {
                    List<Double> v = perRound.get(i);
                    cells.add(Format.ratio(x) + " [" + Format.ratio(Collections.min(v)) + "-"
                            + Format.ratio(Collections.max(v)) + ", " + v.size() + " rounds]");
                }
            }
            cells.add(met);
            table.row(cells);
        }
        if (!table.isEmpty()) {
            out.append(
                    rounds.size() == 1
                            ? "Against the targets: ours / peer in ops/s (higher is better), from the means and, in"
                                    + " brackets, from the best iterations; rows with no target are for comparison.\n\n"
                            : "Against the targets: ours / peer in ops/s (higher is better), the ratio taken within"
                                    + " each round; the median of the rounds' ratios, their range in brackets; rows with no"
                                    + " target are for comparison.\n\n");
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
