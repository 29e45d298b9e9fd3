package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.suite.report.Report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs suites one after the other into one results folder: a folder per suite with its JSON,
 * logs and CSV, {@code run-info.json} beside them, and at the end {@code report.md} generated from
 * all of it. Each suite gets the Redis server it needs for its duration; a step that fails is
 * logged and the suite marked failed, and the next step still runs (the steps do not depend on
 * one another).
 */
final class SuiteRunner {

    /** The property through which the benchmarks find the pool folder ({@code BenchPools.DIR}). */
    static final String POOL_DIR_PROPERTY = "pmem.bench.dir";
    /** The property through which the benchmarks find the Redis server ({@code CacheStore.REDIS_PROPERTY}). */
    static final String REDIS_PROPERTY = "pmem.bench.redis";

    /**
     * How to run.
     *
     * @param profile    quick or full
     * @param rounds     rounds of the suites that repeat their main runs
     * @param only       the {@code --only} filter
     * @param resultsDir the results folder (created)
     * @param poolDir    where pools and the peers' files are created
     * @param pmdk       whether to run the PMDK baseline
     * @param command    the command line, for run-info
     */
    record Settings(
            Profile profile,
            int rounds,
            ParamFilter only,
            Path resultsDir,
            Path poolDir,
            boolean pmdk,
            String command) {}

    private final PrintStream log;

    SuiteRunner(PrintStream log) {
        this.log = log;
    }

    /** Prints what would run, runs nothing. */
    void dryRun(List<Suite> suites, Settings settings) {
        for (Suite suite : suites) {
            log.println("== " + suite.name() + ": " + suite.description());
            for (Step step :
                    filtered(suite.steps(plan(settings, suite.redis() != Suite.RedisNeed.NONE)), settings.only())) {
                log.println("   " + step.describe());
            }
        }
        warnUnused(settings.only());
    }

    /** Runs the suites and writes the report; 0 if every step ran, 1 otherwise. */
    int run(List<Suite> suites, Settings settings) throws IOException, InterruptedException {
        Path results = settings.resultsDir();
        Files.createDirectories(results);
        Files.createDirectories(settings.poolDir());
        Optional<Path> jarCopy = PinnedClassPath.pin(results);
        Optional<Path> module = BenchHome.module();
        Optional<Path> repository = BenchHome.repository();
        RunInfo info = RunInfo.start(
                results,
                repository.orElse(null),
                settings.command(),
                settings.profile(),
                settings.rounds(),
                settings.only().toString(),
                settings.poolDir());
        PmdkBaseline pmdk =
                module.map(m -> new PmdkBaseline(m.resolve("native"), log)).orElse(null);
        log.println("results: " + results);
        boolean allRan = true;
        for (Suite suite : suites) {
            allRan &= runSuite(suite, settings, info, pmdk, repository);
        }
        warnUnused(settings.only());
        info.finish();
        if (jarCopy.isPresent()) {
            Files.deleteIfExists(jarCopy.get());
        }
        String report = Report.of(results, ReportSections.all());
        Files.writeString(results.resolve("report.md"), report);
        System.out.print(report);
        log.println("raw results and report: " + results);
        return allRan ? 0 : 1;
    }

    private boolean runSuite(Suite suite, Settings settings, RunInfo info, PmdkBaseline pmdk, Optional<Path> repository)
            throws IOException, InterruptedException {
        Path dir = settings.resultsDir().resolve(suite.name());
        Files.createDirectories(dir);
        info.suiteStarted(suite.name());
        log.println("== " + suite.name() + ": " + suite.description());
        if (settings.rounds() > 1 && !suite.repeatsInRounds()) {
            log.println("   --rounds applies to the map and cache suites only; " + suite.name() + " runs once");
        }
        boolean ok = true;
        RedisServerProcess redis = null;
        if (suite.redis() != Suite.RedisNeed.NONE) {
            try {
                redis = RedisServerProcess.start(
                        dir, repository.map(r -> r.resolve(".ci/install-redis-server.sh")), log);
                info.suiteNote(suite.name(), "redis", redis.description());
            } catch (IOException e) {
                info.suiteNote(suite.name(), "redis", "not running: " + e.getMessage());
                if (suite.redis() == Suite.RedisNeed.REQUIRED) {
                    log.println("   " + suite.name() + " needs a redis-server: " + e.getMessage());
                    info.suiteEnded(suite.name(), true);
                    return false;
                }
                log.println("   leaving Redis out of this run: " + e.getMessage());
            }
        }
        try {
            List<String> properties = new ArrayList<>(List.of("-D" + POOL_DIR_PROPERTY + "=" + settings.poolDir()));
            if (redis != null) {
                properties.add("-D" + REDIS_PROPERTY + "=" + redis.address());
            }
            JmhLauncher jmh = new JmhLauncher(properties, log);
            for (Step step : filtered(suite.steps(plan(settings, redis != null)), settings.only())) {
                log.println("-- " + step.describe());
                info.stepStarted(suite.name(), step);
                ok &= switch (step) {
                    case JmhRun run -> jmh.run(run, dir);
                    case PmdkRun run -> runPmdk(run, settings, pmdk, dir);
                    case ProgramRun run -> runProgram(run, properties, dir);
                };
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
            info.suiteEnded(suite.name(), !ok);
        }
        return ok;
    }

    private boolean runPmdk(PmdkRun run, Settings settings, PmdkBaseline pmdk, Path dir)
            throws IOException, InterruptedException {
        if (!settings.pmdk()) {
            log.println("   --no-pmdk: PMDK baseline not run; its rows say pending");
            return true;
        }
        if (pmdk == null) {
            log.println("   pmem-bench/native not found from this jar: PMDK baseline not run");
            return false;
        }
        pmdk.run(run, settings.poolDir(), dir);
        return true;
    }

    private boolean runProgram(ProgramRun run, List<String> properties, Path dir)
            throws IOException, InterruptedException {
        List<String> jvmArgs = new ArrayList<>(properties);
        jvmArgs.addAll(run.jvmArgs());
        int exit = ChildJvm.run(
                dir, jvmArgs, run.mainClass(), run.args(), dir.resolve(run.stdout()), dir.resolve(run.stderr()));
        if (exit != 0) {
            log.println("   " + run.mainClass().getSimpleName() + " exited with " + exit + ", see "
                    + dir.resolve(run.stderr()));
            return !run.mustSucceed();
        }
        return true;
    }

    private static Suite.SuitePlan plan(Settings settings, boolean redisRunning) {
        return new Suite.SuitePlan(settings.profile(), settings.rounds(), redisRunning);
    }

    private static List<Step> filtered(List<Step> steps, ParamFilter only) {
        List<Step> kept = new ArrayList<>();
        for (Step step : steps) {
            switch (step) {
                case JmhRun run -> only.apply(run).ifPresent(kept::add);
                case ProgramRun run -> {
                    if (only.keeps(run)) {
                        kept.add(run);
                    }
                }
                case PmdkRun run -> kept.add(run);
            }
        }
        return kept;
    }

    private void warnUnused(ParamFilter only) {
        if (!only.unused().isEmpty()) {
            log.println("warning: --only " + only.unused() + " matched no parameter of the suites run");
        }
    }
}
