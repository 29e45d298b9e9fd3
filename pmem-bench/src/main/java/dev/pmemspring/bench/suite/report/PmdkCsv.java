package dev.pmemspring.bench.suite.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PMDK baseline's results: {@code pmdk.csv}, lines {@code pmdk,<benchmark>,<mode>,<param>,<threads>,<ns_per_op>}
 * as {@code native/pmdk_bench.c} prints them. Other lines are skipped.
 */
public final class PmdkCsv {

    /**
     * What identifies a PMDK row, and the row of ours it is compared with.
     *
     * @param benchmark {@code alloc-free}, {@code open-time-inproc}, ...
     * @param mode      {@code process} or {@code sync}
     * @param param     size in bytes, or live objects
     * @param threads   threads
     */
    public record Key(String benchmark, String mode, long param, int threads) implements Comparable<Key> {

        @Override
        public int compareTo(Key o) {
            int c = benchmark.compareTo(o.benchmark);
            c = c != 0 ? c : mode.compareTo(o.mode);
            c = c != 0 ? c : Long.compare(param, o.param);
            return c != 0 ? c : Integer.compare(threads, o.threads);
        }
    }

    private PmdkCsv() {}

    /** ns/op by key; empty if the baseline did not run. */
    public static Map<Key, Double> read(List<String> lines) {
        Map<Key, Double> rows = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split(",");
            if (f.length != 6 || !f[0].equals("pmdk")) {
                continue;
            }
            try {
                rows.put(new Key(f[1], f[2], Long.parseLong(f[3]), Integer.parseInt(f[4])), Double.parseDouble(f[5]));
            } catch (NumberFormatException notAResult) {
                // a diagnostic that happens to have six fields
            }
        }
        return rows;
    }
}
