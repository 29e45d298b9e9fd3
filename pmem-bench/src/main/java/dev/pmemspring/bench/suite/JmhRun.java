package dev.pmemspring.bench.suite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One invocation of JMH: which benchmark methods, with which parameters and threads, how long, and
 * the JSON file its results go to. Built with the {@code with...} methods from
 * {@link #of(String, Class, String...)}.
 *
 * @param output        the JSON file in the suite's folder (its log is the same name with {@code .log})
 * @param benchmark     the benchmark class
 * @param methods       its {@code @Benchmark} methods to run, never empty
 * @param threads       {@code -t}, or 0 for the benchmark's own
 * @param params        {@code -p name=values}, in order; a parameter some of the methods do not have
 *                      is ignored for those by JMH
 * @param iterations    forks, warm-up and measurement
 * @param batchSize     warm-up and measurement batch size ({@code -bs}, {@code -wbs}), or 0 for the
 *                      benchmark's own
 * @param jvmArgsAppend replaces the benchmark's {@code @Fork(jvmArgsAppend)} when not empty (JMH
 *                      takes one or the other)
 * @param profilers     JMH profilers by name ({@code -prof}), for example {@code gc}
 */
public record JmhRun(
        String output,
        Class<?> benchmark,
        List<String> methods,
        int threads,
        Map<String, List<String>> params,
        Iterations iterations,
        int batchSize,
        List<String> jvmArgsAppend,
        List<String> profilers)
        implements Step {

    public JmhRun {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException(output + ": name the benchmark methods to run");
        }
        methods = List.copyOf(methods);
        params = copy(params);
        jvmArgsAppend = List.copyOf(jvmArgsAppend);
        profilers = List.copyOf(profilers);
    }

    /** {@code methods} of {@code benchmark}, results to {@code output}; set the rest with the withers. */
    public static JmhRun of(String output, Class<?> benchmark, String... methods) {
        return new JmhRun(output, benchmark, List.of(methods), 0, Map.of(), null, 0, List.of(), List.of());
    }

    public JmhRun withThreads(int t) {
        return new JmhRun(output, benchmark, methods, t, params, iterations, batchSize, jvmArgsAppend, profilers);
    }

    public JmhRun withParam(String name, List<String> values) {
        Map<String, List<String>> more = new LinkedHashMap<>(params);
        more.put(name, values);
        return new JmhRun(output, benchmark, methods, threads, more, iterations, batchSize, jvmArgsAppend, profilers);
    }

    public JmhRun withParam(String name, String... values) {
        return withParam(name, List.of(values));
    }

    public JmhRun with(Iterations it) {
        return new JmhRun(output, benchmark, methods, threads, params, it, batchSize, jvmArgsAppend, profilers);
    }

    public JmhRun withBatchSize(int size) {
        return new JmhRun(output, benchmark, methods, threads, params, iterations, size, jvmArgsAppend, profilers);
    }

    public JmhRun withJvmArgsAppend(String... args) {
        return new JmhRun(output, benchmark, methods, threads, params, iterations, batchSize, List.of(args), profilers);
    }

    /** Adds JMH's profiler {@code name} ({@code gc}: allocation per operation, as {@code -prof gc}). */
    public JmhRun withProfiler(String name) {
        List<String> more = new ArrayList<>(profilers);
        more.add(name);
        return new JmhRun(output, benchmark, methods, threads, params, iterations, batchSize, jvmArgsAppend, more);
    }

    public JmhRun withMethods(List<String> kept) {
        return new JmhRun(output, benchmark, kept, threads, params, iterations, batchSize, jvmArgsAppend, profilers);
    }

    public JmhRun withParams(Map<String, List<String>> replaced) {
        return new JmhRun(
                output, benchmark, methods, threads, replaced, iterations, batchSize, jvmArgsAppend, profilers);
    }

    /**
     * The include pattern: anchored at both ends, because JMH searches it anywhere in the full
     * name ({@code OpenBenchmark\.} alone would also run {@code MapOpenBenchmark}).
     */
    public String includePattern() {
        return "^" + Pattern.quote(benchmark.getName()) + "\\.("
                + methods.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")$";
    }

    /** The JMH log of this run, next to its JSON. */
    public String logFile() {
        return output.replaceFirst("\\.json$", "") + ".log";
    }

    @Override
    public String describe() {
        List<String> words = new ArrayList<>();
        words.add(benchmark.getSimpleName() + "."
                + (methods.size() == 1 ? methods.getFirst() : "(" + String.join("|", methods) + ")"));
        if (threads > 0) {
            words.add("-t " + threads);
        }
        params.forEach((name, values) -> words.add("-p " + name + "=" + String.join(",", values)));
        profilers.forEach(p -> words.add("-prof " + p));
        if (iterations != null) {
            words.add(iterations.toString());
        }
        if (batchSize > 0) {
            words.add("-bs " + batchSize + " -wbs " + batchSize);
        }
        if (!jvmArgsAppend.isEmpty()) {
            words.add("-jvmArgsAppend \"" + String.join(" ", jvmArgsAppend) + "\"");
        }
        return "JMH " + String.join(" ", words) + " -> " + output;
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> params) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        params.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return java.util.Collections.unmodifiableMap(copy);
    }
}
