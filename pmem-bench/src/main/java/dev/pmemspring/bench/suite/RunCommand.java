package dev.pmemspring.bench.suite;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code run SUITE... [--profile quick|full]}: runs the named suites one after the other and writes
 * their results, {@code run-info.json} and {@code report.md} into one results folder.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs benchmark suites and reports them.",
            "Suites: allocator, transactions, open, recovery (against PMDK's libpmemobj where it has a"
                    + " counterpart), map, cache (with a private redis-server when one can be started),"
                    + " coherence (needs redis-server), or all."
        })
final class RunCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "SUITE", description = "suites to run, in the order of 'all'")
    List<String> suites;

    @Option(
            names = {"-p", "--profile"},
            defaultValue = "full",
            paramLabel = "quick|full",
            description = "quick: short iterations over a reduced matrix (proves it runs, not numbers to quote);"
                    + " full: the settings the published results use (default: ${DEFAULT-VALUE})")
    Profile profile;

    @Option(
            names = "--results",
            paramLabel = "DIR",
            description = "results folder (default: pmem-bench/target/bench-results/<timestamp>)")
    Path results;

    @Option(
            names = "--pool-dir",
            paramLabel = "DIR",
            description = "where pools and the peers' files are created (default: /dev/shm, else the temporary folder)")
    Path poolDir;

    @Option(
            names = "--rounds",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "map and cache suites: run their JMH matrix N times, one round after the other; the report shows medians")
    int rounds;

    @Option(
            names = "--only",
            paramLabel = "NAME=V1,V2",
            description =
                    "rerun part of the declared matrix: keep only these values of a parameter (e.g. impl=pmem,chronicle,"
                            + " store=pmem,redis), or of the benchmark methods (method=getHit); repeatable")
    Map<String, String> only;

    @Option(names = "--no-pmdk", description = "do not run the PMDK baseline (its columns say pending)")
    boolean noPmdk;

    @Option(names = "--dry-run", description = "print the steps the suites would run, run nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            System.err.println("--rounds must be at least 1");
            return 2;
        }
        List<Suite> selected;
        try {
            selected = Suites.select(suites);
        } catch (IllegalArgumentException unknown) {
            System.err.println(unknown.getMessage());
            return 2;
        }
        Path resultsDir = results != null
                ? results.toAbsolutePath()
                : BenchHome.resultsRoot()
                        .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path pools = (poolDir != null ? poolDir : defaultPoolDir()).toAbsolutePath();
        SuiteRunner.Settings settings = new SuiteRunner.Settings(
                profile, rounds, ParamFilter.of(only), resultsDir, pools, !noPmdk, commandLine());
        SuiteRunner runner = new SuiteRunner(System.err);
        if (dryRun) {
            runner.dryRun(selected, settings);
            return 0;
        }
        return runner.run(selected, settings);
    }

    /** tmpfs where there is one (as {@code BenchPools.DIR}), never the repository. */
    private static Path defaultPoolDir() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The command as run-info records it. */
    private String commandLine() {
        StringBuilder c = new StringBuilder("java -jar pmem-bench/target/benchmarks.jar run ");
        c.append(String.join(" ", suites))
                .append(" --profile ")
                .append(profile.name().toLowerCase(java.util.Locale.ROOT));
        if (rounds > 1) {
            c.append(" --rounds ").append(rounds);
        }
        if (only != null) {
            only.forEach((k, v) -> c.append(" --only ").append(k).append('=').append(v));
        }
        if (noPmdk) {
            c.append(" --no-pmdk");
        }
        if (poolDir != null) {
            c.append(" --pool-dir ").append(poolDir);
        }
        return c.toString();
    }
}
