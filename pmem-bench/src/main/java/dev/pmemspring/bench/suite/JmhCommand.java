package dev.pmemspring.bench.suite;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code jmh ARGS...}: JMH's own command line ({@code org.openjdk.jmh.Main}), for one benchmark
 * outside the suites, e.g. {@code jmh 'MapBenchmark\.putNew$' -p impl=pmem -t 1 -f 1}. Everything
 * after {@code jmh} goes to JMH as it is ({@code jmh -h} is JMH's help).
 */
@Command(
        name = "jmh",
        description = "JMH's own command line, for a single benchmark: everything after 'jmh' goes to JMH.")
final class JmhCommand implements Runnable {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public void run() {
        try {
            org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
