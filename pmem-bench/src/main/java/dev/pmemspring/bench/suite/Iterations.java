package dev.pmemspring.bench.suite;

import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How long one JMH run measures: forks, warm-up and measured iterations, and for timed modes the
 * length of an iteration ({@code null}: the benchmark's own, which single shots do not use).
 *
 * @param forks                 JVMs per configuration
 * @param warmupIterations      warm-up iterations (or shots) per fork
 * @param warmupTime            length of a warm-up iteration, as JMH writes it ({@code "2s"}), or null
 * @param measurementIterations measured iterations (or shots) per fork
 * @param measurementTime       length of a measured iteration, or null
 */
public record Iterations(
        int forks, int warmupIterations, String warmupTime, int measurementIterations, String measurementTime) {

    /** Timed iterations: {@code -f forks -wi wi -w w -i i -r r}. */
    public static Iterations timed(int forks, int wi, String w, int i, String r) {
        return new Iterations(forks, wi, w, i, r);
    }

    /** Single shots: {@code -f forks -wi wi -i i}. */
    public static Iterations shots(int forks, int wi, int i) {
        return new Iterations(forks, wi, null, i, null);
    }

    void applyTo(ChainedOptionsBuilder options) {
        options.forks(forks).warmupIterations(warmupIterations).measurementIterations(measurementIterations);
        if (warmupTime != null) {
            options.warmupTime(TimeValue.fromString(warmupTime));
        }
        if (measurementTime != null) {
            options.measurementTime(TimeValue.fromString(measurementTime));
        }
    }

    /** As JMH's command line would say it. */
    @Override
    public String toString() {
        return "-f " + forks + " -wi " + warmupIterations + (warmupTime == null ? "" : " -w " + warmupTime) + " -i "
                + measurementIterations + (measurementTime == null ? "" : " -r " + measurementTime);
    }
}
