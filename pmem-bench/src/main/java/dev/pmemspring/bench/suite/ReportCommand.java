package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.suite.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code report DIR}: writes {@code DIR/report.md} anew from the results in it, and prints it. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Regenerates report.md of a results folder from its JSON (and prints it).")
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "a results folder written by 'run'")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            System.err.println("not a folder: " + dir);
            return 2;
        }
        String report = Report.of(dir, ReportSections.all());
        Files.writeString(dir.resolve("report.md"), report);
        System.out.print(report);
        return 0;
    }
}
