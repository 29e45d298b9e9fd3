package dev.pmemspring.bench.suite;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code run-info.json}: what was measured and under what conditions, beside the results. The
 * commit alone does not say what ran if the tree had uncommitted changes, so those are listed; the
 * load average is recorded at the start, before every step and at the end, because other work on a
 * shared machine skews the numbers. Rewritten after every change, so a run that dies still leaves
 * what it got to.
 */
final class RunInfo {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final ObjectNode root;
    private final ArrayNode steps;
    private final ObjectNode suites;

    private RunInfo(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
        this.steps = root.putArray("steps");
        this.suites = root.putObject("suites");
    }

    /** Starts {@code run-info.json} in {@code resultsDir} with the machine, the code and the settings. */
    static RunInfo start(
            Path resultsDir, Path repoRoot, String command, Profile profile, int rounds, String only, Path poolDir) {
        ObjectNode root = JSON.createObjectNode();
        root.put("started", now());
        root.put("command", command);
        root.put("profile", profile.name().toLowerCase(java.util.Locale.ROOT));
        root.put("rounds", rounds);
        root.put("only", only);
        root.put("loadAverageAtStart", loadAverage());
        ObjectNode code = root.putObject("code");
        List<String> status = git(repoRoot, "--no-optional-locks", "status", "--porcelain");
        List<String> head = git(repoRoot, "rev-parse", "HEAD");
        code.put("commit", head.isEmpty() ? "n/a" : head.getFirst());
        code.put("dirty", !status.isEmpty());
        ArrayNode changes = code.putArray("uncommitted");
        status.forEach(changes::add);
        ObjectNode machine = root.putObject("machine");
        machine.put("cpu", cpuModel());
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("memory", memory());
        machine.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put(
                "java",
                Runtime.version().toString() + " (" + System.getProperty("java.vm.name") + ", "
                        + System.getProperty("java.home") + ")");
        machine.put("poolDir", poolDir + " (" + fileSystem(poolDir) + ")");
        RunInfo info = new RunInfo(resultsDir.resolve("run-info.json"), root);
        info.save();
        return info;
    }

    void suiteStarted(String suite) {
        ObjectNode s = suites.putObject(suite);
        s.put("started", now());
        save();
    }

    void suiteNote(String suite, String key, String value) {
        ((ObjectNode) suites.path(suite)).put(key, value);
        save();
    }

    void suiteEnded(String suite, boolean failed) {
        ObjectNode s = (ObjectNode) suites.path(suite);
        s.put("ended", now());
        s.put("failed", failed);
        save();
    }

    void stepStarted(String suite, Step step) {
        ObjectNode s = steps.addObject();
        s.put("suite", suite);
        s.put("step", step.describe());
        s.put("started", now());
        s.put("loadAverage", loadAverage());
        save();
    }

    void finish() {
        root.put("ended", now());
        root.put("loadAverageAtEnd", loadAverage());
        save();
    }

    private void save() {
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS)
                .toString();
    }

    /** The 1, 5 and 15 minute load averages. */
    private static String loadAverage() {
        String[] fields = firstLine(Path.of("/proc/loadavg"), "n/a").split("\\s+");
        return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "n/a";
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB")
                    .findFirst()
                    .orElse("n/a");
        } catch (IOException | NumberFormatException e) {
            return "n/a";
        }
    }

    private static String fileSystem(Path dir) {
        try {
            return Files.getFileStore(dir).type();
        } catch (IOException e) {
            return "file system unknown";
        }
    }

    private static String firstLine(Path path, String otherwise) {
        try {
            return Files.readAllLines(path).stream()
                    .findFirst()
                    .orElse(otherwise)
                    .trim();
        } catch (IOException e) {
            return otherwise;
        }
    }

    /**
     * A read-only git command's output lines, none when git or the repository is missing.
     * {@code --no-optional-locks} keeps {@code status} from writing the index (another engineer's
     * git command may hold its lock).
     */
    private static List<String> git(Path repo, String... args) {
        if (repo == null) {
            return List.of();
        }
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        try {
            Process git = new ProcessBuilder(command)
                    .redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
                return List.of();
            }
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
