package dev.pmemspring.bench.suite;

import java.util.List;
import java.util.Map;

/**
 * A program of this jar run in a JVM of its own, for what is not a JMH benchmark (the kill -9
 * probe, the rolling restart): started in the suite's results folder, so the files it writes land
 * there, with the pool folder and Redis address the suite runs with.
 *
 * @param mainClass   the class whose {@code main} runs
 * @param jvmArgs     options of its JVM
 * @param args        its arguments
 * @param stdout      the file its standard output is appended to
 * @param stderr      the file its standard error is appended to
 * @param mustSucceed whether a non-zero exit fails the suite (otherwise it is logged, and the
 *                    report shows what the program wrote)
 * @param params      what {@code --only} filters it by: a run whose value is not kept is skipped
 */
public record ProgramRun(
        Class<?> mainClass,
        List<String> jvmArgs,
        List<String> args,
        String stdout,
        String stderr,
        boolean mustSucceed,
        Map<String, String> params)
        implements Step {

    public ProgramRun {
        jvmArgs = List.copyOf(jvmArgs);
        args = List.copyOf(args);
        params = Map.copyOf(params);
    }

    @Override
    public String describe() {
        return "java (" + jvmArgs.size() + " JVM options) " + mainClass.getSimpleName() + " " + String.join(" ", args)
                + " -> " + stdout;
    }
}
