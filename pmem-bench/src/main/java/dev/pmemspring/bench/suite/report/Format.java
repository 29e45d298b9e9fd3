package dev.pmemspring.bench.suite.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** How the reports write numbers: thousands grouped with commas, whatever the machine's locale. */
public final class Format {

    /** What a cell shows for a value that is not there. */
    public static final String NONE = "—";

    private Format() {}

    /** {@code v} with {@code decimals} decimals and grouped thousands: {@code 1,282.1}. */
    public static String grouped(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    /** A ratio, two decimals. */
    public static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Nanoseconds: one decimal below 10,000, none above. */
    public static String nanos(double ns) {
        return grouped(ns, ns < 10_000 ? 1 : 0);
    }

    /** Nanoseconds as milliseconds, two decimals. */
    public static String millis(double ns) {
        return grouped(ns / 1e6, 2);
    }

    /** Throughput: {@code 1.23 M}, {@code 45.6 k}, {@code 789}. */
    public static String ops(double v) {
        if (v >= 1e6) {
            return grouped(v / 1e6, 2) + " M";
        }
        if (v >= 1e3) {
            return grouped(v / 1e3, 1) + " k";
        }
        return grouped(v, 0);
    }

    /** {@code 64 B}, {@code 4 KiB}, {@code 1 GiB} for whole units, else bytes. */
    public static String bytes(long n) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long scale = 1L << shifts[i];
            if (n >= scale && n % scale == 0) {
                return (n / scale) + " " + units[i];
            }
        }
        return n + " B";
    }

    /** {@code 200k objects}, {@code 2M objects}. */
    public static String objects(long n) {
        if (n < 1_000_000) {
            return (n / 1000) + "k objects";
        }
        double m = n / 1e6;
        return (m == Math.rint(m) ? Long.toString((long) m) : Double.toString(m)) + "M objects";
    }

    /** The median (the mean of the two middle values for an even count). */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
