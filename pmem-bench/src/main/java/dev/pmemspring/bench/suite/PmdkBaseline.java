package dev.pmemspring.bench.suite;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PMDK libpmemobj baseline ({@code native/pmdk_bench.c}): built once per run by
 * {@code native/build-pmdk.sh} (which installs {@code libpmemobj-dev} when it is missing), then
 * run one configuration at a time, on the same pool folder as ours. A configuration that fails is
 * logged and left out; the report shows its row as pending.
 */
final class PmdkBaseline {

    private final Path nativeDir;
    private final PrintStream log;
    private Path binary;

    PmdkBaseline(Path nativeDir, PrintStream log) {
        this.nativeDir = nativeDir;
        this.log = log;
    }

    /** Runs the configurations; their CSV lines go to {@code pmdk.csv}, everything else to {@code pmdk.log}. */
    void run(PmdkRun run, Path poolDir, Path dir) throws IOException, InterruptedException {
        Path csv = dir.resolve("pmdk.csv");
        Path logFile = dir.resolve("pmdk.log");
        Files.writeString(csv, "", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!build(logFile)) {
            log.println("   the PMDK baseline could not be built (see " + logFile + "): its rows stay pending");
            return;
        }
        append(
                logFile,
                "loadavg at start: "
                        + Files.readString(Path.of("/proc/loadavg")).trim());
        int failed = 0;
        for (PmdkRun.Config config : run.configs()) {
            List<String> command =
                    new ArrayList<>(List.of(binary.toString(), "--dir", poolDir.toString(), "--mode", config.mode()));
            command.addAll(config.arguments());
            append(logFile, "== [" + config.mode() + "] " + String.join(" ", config.arguments()));
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            environment(pb.environment(), config.mode());
            Process process = pb.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            List<String> rows = out.lines().filter(l -> l.startsWith("pmdk,")).toList();
            if (!rows.isEmpty()) {
                Files.write(csv, rows, StandardOpenOption.APPEND);
            }
            if (exit != 0) {
                failed++;
                append(logFile, "exit " + exit);
            }
        }
        append(
                logFile,
                "loadavg at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
        log.println("   " + (run.configs().size() - failed) + " of "
                + run.configs().size() + " PMDK configurations ran" + (failed > 0 ? ", see " + logFile : ""));
    }

    /**
     * process: PMDK takes the mapping for pmem and skips cache flushes, leaving only the fences
     * (as our PROCESS durability); sync: PMDK's default msync() path on a non-DAX file.
     */
    private static void environment(Map<String, String> env, String mode) {
        switch (mode) {
            case "process" -> {
                env.put("PMEM_IS_PMEM_FORCE", "1");
                env.put("PMEM_NO_FLUSH", "1");
            }
            case "sync" -> {
                env.remove("PMEM_IS_PMEM_FORCE");
                env.remove("PMEM_NO_FLUSH");
            }
            default -> throw new IllegalArgumentException("unknown PMDK mode " + mode);
        }
    }

    private boolean build(Path logFile) throws IOException, InterruptedException {
        if (binary != null) {
            return true;
        }
        Process build = new ProcessBuilder(
                        "bash", nativeDir.resolve("build-pmdk.sh").toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (build.waitFor() != 0 || out.isEmpty()) {
            return false;
        }
        binary = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        return Files.isExecutable(binary);
    }

    private static void append(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
