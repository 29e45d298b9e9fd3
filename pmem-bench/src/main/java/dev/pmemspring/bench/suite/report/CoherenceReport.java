package dev.pmemspring.bench.suite.report;

import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cache coherence over Redis: what coherence costs a put (ops/s without and with it), the lag from
 * an evict on one instance to a miss on another (percentiles), and what a rolling restart costs in
 * back-end loads, ours against Redisson's near cache.
 */
public final class CoherenceReport {

    private CoherenceReport() {}

    public static void appendTo(StringBuilder out, SuiteResults results) {
        appendPuts(out, results);
        appendLag(out, results);
        results.readJson("rolling-restart.json").ifPresent(json -> appendRollingRestart(out, json));
    }

    private static void appendPuts(StringBuilder out, SuiteResults results) {
        MarkdownTable table =
                new MarkdownTable().left("threads", "coherence=none", "coherence=redis", "cost (none / redis)");
        for (int t : List.of(1, 2)) {
            Map<String, JmhResult.Metric> byCoherence = new HashMap<>();
            for (JmhResult r : results.jmh("put-t" + t + ".json")) {
                byCoherence.put(r.param("coherence"), r.primary());
            }
            JmhResult.Metric none = byCoherence.get("none");
            JmhResult.Metric redis = byCoherence.get("redis");
            if (none != null && redis != null) {
                table.row(
                        Integer.toString(t),
                        withError(none),
                        withError(redis),
                        Format.ratio(none.score() / redis.score()) + "x");
            }
        }
        if (!table.isEmpty()) {
            out.append("Put, without and with coherence (ops/s):\n\n");
            table.appendTo(out);
        }
    }

    private static void appendLag(StringBuilder out, SuiteResults results) {
        MarkdownTable table = new MarkdownTable().left("samples", "p50", "p90", "p99", "p99.9", "max");
        for (JmhResult r : results.jmh("lag.json")) {
            JmhResult.Metric m = r.primary();
            table.row(
                    Format.grouped(m.histogramCount(), 0),
                    p(m, "50.0"),
                    p(m, "90.0"),
                    p(m, "99.0"),
                    p(m, "99.9"),
                    p(m, "100.0"));
        }
        if (!table.isEmpty()) {
            out.append("Lag, evict on A until B misses (µs):\n\n");
            table.appendTo(out);
        }
    }

    private static void appendRollingRestart(StringBuilder out, JsonNode json) {
        out.append(String.format(
                java.util.Locale.ROOT,
                "Rolling restart of %d instances, %s entries, %d %% of the keys changed while each was down:%n%n",
                json.path("instances").asInt(),
                Format.grouped(json.path("entries").asLong(), 0),
                json.path("changedPercent").asInt()));
        long readLimit = 20L * json.path("entries").asLong();
        MarkdownTable table = new MarkdownTable()
                .left(
                        "system",
                        "restarted",
                        "reads until 95 % local hits",
                        "of them not served locally",
                        "back-end loads until then",
                        "full pass: back-end loads",
                        "full pass: reads not served locally",
                        "stale values",
                        "time (ms)");
        for (JsonNode r : json.path("restarts").values()) {
            long reads = r.path("recoveryReads").asLong();
            table.row(
                    r.path("system").asString(),
                    Integer.toString(r.path("instance").asInt()),
                    reads < 0 ? "not within " + Format.grouped(readLimit, 0) : Format.grouped(reads, 0),
                    count(r, "recoveryRemoteReads"),
                    count(r, "recoveryLoads"),
                    count(r, "passLoads"),
                    count(r, "passRemoteReads"),
                    Long.toString(r.path("staleValues").asLong()),
                    count(r, "millis"));
        }
        table.appendTo(out);
    }

    private static String withError(JmhResult.Metric m) {
        return Format.grouped(m.score(), 0) + (m.error() == null ? "" : " ± " + Format.grouped(m.error(), 0));
    }

    private static String p(JmhResult.Metric m, String percentile) {
        Double v = m.percentile(percentile);
        return v == null ? Format.NONE : Format.grouped(v, 0);
    }

    private static String count(JsonNode restart, String field) {
        return Format.grouped(restart.path(field).asLong(), 0);
    }
}
