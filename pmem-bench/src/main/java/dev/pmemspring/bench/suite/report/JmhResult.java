package dev.pmemspring.bench.suite.report;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a JMH JSON results file ({@code -rf json}): one benchmark method with one set of
 * parameters and one thread count, with the parts the reports read.
 *
 * @param benchmark            the full name, {@code package.Class.method}
 * @param mode                 {@code avgt}, {@code thrpt}, {@code ss}, {@code sample}
 * @param threads              threads it ran with
 * @param measurementBatchSize calls per single shot (the score of a shot covers them all)
 * @param params               its {@code @Param} values
 * @param primary              the score
 * @param secondary            the secondary results by name ({@code @AuxCounters}, profilers)
 */
public record JmhResult(
        String benchmark,
        String mode,
        int threads,
        int measurementBatchSize,
        Map<String, String> params,
        Metric primary,
        Map<String, Metric> secondary) {

    /**
     * A score with its spread.
     *
     * @param score          the score
     * @param error          JMH's 99.9 % confidence half-width, or null where JMH could not tell
     *                       (it writes {@code "NaN"}, a string)
     * @param unit           {@code ns/op}, {@code ops/s}, {@code us/op}, ...
     * @param rawData        the iterations' values, per fork
     * @param percentiles    {@code "50.0" -> value}, ...
     * @param histogramCount samples in {@code rawDataHistogram} (sample mode), 0 without one
     */
    public record Metric(
            double score,
            Double error,
            String unit,
            List<List<Double>> rawData,
            Map<String, Double> percentiles,
            long histogramCount) {

        /** Every iteration's value, all forks in turn. */
        public List<Double> values() {
            return rawData.stream().flatMap(List::stream).toList();
        }

        public Double percentile(String p) {
            return percentiles.get(p);
        }

        /** How many nanoseconds one unit of a time score is ({@code ns/op} is 1). */
        public double nanosPerUnit() {
            return switch (unit) {
                case "ns/op" -> 1;
                case "us/op" -> 1e3;
                case "ms/op" -> 1e6;
                case "s/op" -> 1e9;
                default -> throw new IllegalStateException("not a time per op: " + unit);
            };
        }
    }

    /** The method's name, the part after the last dot. */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** The class's simple name. */
    public String benchmarkClass() {
        String type = benchmark.substring(0, benchmark.lastIndexOf('.'));
        return type.substring(type.lastIndexOf('.') + 1);
    }

    public String param(String name) {
        return params.get(name);
    }

    static JmhResult of(JsonNode entry) {
        Map<String, String> params = new LinkedHashMap<>();
        entry.path("params")
                .properties()
                .forEach(p -> params.put(p.getKey(), p.getValue().asString()));
        Map<String, Metric> secondary = new LinkedHashMap<>();
        entry.path("secondaryMetrics").properties().forEach(m -> secondary.put(m.getKey(), metric(m.getValue())));
        return new JmhResult(
                entry.path("benchmark").asString(),
                entry.path("mode").asString(),
                entry.path("threads").asInt(1),
                entry.path("measurementBatchSize").asInt(1),
                params,
                metric(entry.path("primaryMetric")),
                secondary);
    }

    private static Metric metric(JsonNode m) {
        List<List<Double>> raw = new ArrayList<>();
        for (JsonNode fork : m.path("rawData").values()) {
            raw.add(fork.values().stream().map(JmhResult::number).toList());
        }
        Map<String, Double> percentiles = new LinkedHashMap<>();
        m.path("scorePercentiles").properties().forEach(p -> percentiles.put(p.getKey(), number(p.getValue())));
        double error = number(m.path("scoreError"));
        return new Metric(
                number(m.path("score")),
                Double.isNaN(error) ? null : error,
                m.path("scoreUnit").asString(),
                raw,
                percentiles,
                histogramCount(m.path("rawDataHistogram")));
    }

    /** JMH writes NaN (and infinities) as strings. */
    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(n.asString());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** forks > iterations > [value, count] pairs: the sum of the counts. */
    private static long histogramCount(JsonNode h) {
        if (!h.isArray()) {
            return 0;
        }
        if (h.size() == 2 && h.get(0).isNumber() && h.get(1).isNumber()) {
            return h.get(1).asLong();
        }
        long sum = 0;
        for (JsonNode child : h.values()) {
            sum += histogramCount(child);
        }
        return sum;
    }
}
