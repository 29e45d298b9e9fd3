package dev.pmemspring.bench.suite.report;

import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@code report.md} of one results folder: a header from {@code run-info.json} (when, which commit,
 * which command, which machine), then each suite's section, generated from the JSON and the other
 * files its steps wrote. Suites without a folder are left out; it can be rerun on an old folder.
 */
public final class Report {

    /**
     * A suite's part of the report.
     *
     * @param folder  the suite's folder in the results folder
     * @param title   its heading
     * @param section writes its body
     */
    public record Section(String folder, String title, BiConsumer<SuiteResults, StringBuilder> section) {}

    private Report() {}

    /** The report of {@code resultsDir}, with the sections whose folders exist, in the order given. */
    public static String of(Path resultsDir, List<Section> sections) {
        StringBuilder out = new StringBuilder("# Benchmark results\n\n");
        new SuiteResults(resultsDir).readJson("run-info.json").ifPresent(info -> header(info, out));
        for (Section section : sections) {
            Path dir = resultsDir.resolve(section.folder());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            out.append("## ").append(section.title()).append("\n\n");
            int before = out.length();
            section.section().accept(new SuiteResults(dir), out);
            if (out.length() == before) {
                out.append("No results (see the logs in `")
                        .append(section.folder())
                        .append("/`).\n\n");
            }
        }
        return out.toString();
    }

    private static void header(JsonNode info, StringBuilder out) {
        JsonNode code = info.path("code");
        out.append("- Run: ")
                .append(info.path("started").asString())
                .append(" to ")
                .append(info.path("ended").asString("(not finished)"))
                .append('\n');
        out.append("- Commit: `")
                .append(code.path("commit").asString())
                .append(code.path("dirty").asBoolean() ? "` with uncommitted changes (listed in run-info.json)" : "`")
                .append('\n');
        out.append("- Command: `").append(info.path("command").asString()).append("`\n");
        JsonNode machine = info.path("machine");
        out.append("- Machine: ")
                .append(machine.path("cpu").asString())
                .append(" x ")
                .append(machine.path("cpus").asInt())
                .append(", ")
                .append(machine.path("memory").asString())
                .append(", ")
                .append(machine.path("kernel").asString())
                .append("; Java ")
                .append(machine.path("java").asString())
                .append('\n');
        out.append("- Pools in: ").append(machine.path("poolDir").asString()).append('\n');
        out.append("- Load average at start / end: ")
                .append(info.path("loadAverageAtStart").asString())
                .append(" / ")
                .append(info.path("loadAverageAtEnd").asString("n/a"))
                .append("\n\n");
    }
}
