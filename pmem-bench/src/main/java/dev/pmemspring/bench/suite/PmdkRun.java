package dev.pmemspring.bench.suite;

import java.util.ArrayList;
import java.util.List;

/**
 * The PMDK baseline's part of a suite: the configurations of {@code native/pmdk_bench.c} that are
 * the counterparts of the suite's JMH rows, each run on its own in both modes. Results go to
 * {@code pmdk.csv} (lines {@code pmdk,<benchmark>,<mode>,<param>,<threads>,<ns_per_op>}), its
 * diagnostics to {@code pmdk.log}.
 *
 * @param configs the configurations, in the order they run
 */
public record PmdkRun(List<Config> configs) implements Step {

    /** The PMDK modes, and the JMH {@code durability} each is compared with. */
    public static final List<String> MODES = List.of("process", "sync");

    /**
     * One configuration.
     *
     * @param benchmark {@code alloc-free}, {@code tx-snapshot}, {@code open-time}, ...
     * @param mode      {@code process} (PMDK with {@code PMEM_IS_PMEM_FORCE=1 PMEM_NO_FLUSH=1}: fences
     *                  only) or {@code sync} (PMDK's default {@code msync} on a non-DAX file)
     * @param param     the size in bytes, or for {@code open-time} the live objects
     * @param threads   threads of a loop benchmark (1 for {@code open-time})
     * @param seconds   measured seconds of a loop benchmark (after PMDK's own 1 s warm-up); 0 for
     *                  {@code open-time}, which takes a median of 5 samples
     */
    public record Config(String benchmark, String mode, long param, int threads, int seconds) {

        /** The program's arguments after {@code --dir} and {@code --mode}. */
        public List<String> arguments() {
            if (benchmark.equals("open-time")) {
                // exec (a fresh process per sample) is the main number, printed as open-time;
                // inproc (a reopen in the same process) is printed as open-time-inproc.
                return List.of("--open-method", "exec,inproc", "open-time", Long.toString(param));
            }
            return List.of(benchmark, Long.toString(param), Integer.toString(threads), Integer.toString(seconds));
        }
    }

    public PmdkRun {
        configs = List.copyOf(configs);
    }

    /**
     * Measured seconds per loop configuration. Quick keeps the full matrix at 1 s, so every row of
     * ours still has its PMDK row.
     */
    public static int seconds(Profile profile) {
        return profile == Profile.QUICK ? 1 : 5;
    }

    /** Every loop {@code benchmark} x {@code sizes} x {@code threads}, in both modes. */
    public static PmdkRun loops(List<String> benchmarks, List<Long> sizes, List<Integer> threads, int seconds) {
        List<Config> configs = new ArrayList<>();
        for (String mode : MODES) {
            for (String benchmark : benchmarks) {
                for (long size : sizes) {
                    for (int t : threads) {
                        configs.add(new Config(benchmark, mode, size, t, seconds));
                    }
                }
            }
        }
        return new PmdkRun(configs);
    }

    /** {@code open-time} (fresh process and warm reopen) of pools with these object counts, in both modes. */
    public static PmdkRun opens(List<Long> objects) {
        List<Config> configs = new ArrayList<>();
        for (String mode : MODES) {
            for (long n : objects) {
                configs.add(new Config("open-time", mode, n, 1, 0));
            }
        }
        return new PmdkRun(configs);
    }

    @Override
    public String describe() {
        return "PMDK baseline: " + configs.size() + " configurations -> pmdk.csv";
    }
}
