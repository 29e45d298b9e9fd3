package dev.pmemspring.bench.suite.report;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What one suite's steps left in its results folder, read back for its report. A file that is
 * missing (a step failed or was skipped) reads as empty: the report then shows the rows as
 * missing rather than stopping.
 */
public final class SuiteResults {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;

    public SuiteResults(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The results of one JMH JSON file. */
    public List<JmhResult> jmh(String file) {
        return readJson(file).map(SuiteResults::entries).orElse(List.of());
    }

    /** The results of every JMH JSON file whose name matches {@code glob}, file by file in name order. */
    public List<JmhResult> jmhMatching(String glob) {
        List<JmhResult> all = new ArrayList<>();
        for (Path file : files(glob)) {
            all.addAll(jmh(file.getFileName().toString()));
        }
        return all;
    }

    /** A JSON file, if it is there and parses. */
    public Optional<JsonNode> readJson(String file) {
        Path path = dir.resolve(file);
        try {
            if (!Files.isRegularFile(path) || Files.size(path) == 0) {
                return Optional.empty();
            }
            return Optional.of(JSON.readTree(path));
        } catch (IOException | JacksonException e) {
            return Optional.empty();
        }
    }

    /** The lines of a text file, none if it is not there. */
    public List<String> lines(String file) {
        Path path = dir.resolve(file);
        try {
            return Files.isRegularFile(path) ? Files.readAllLines(path) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the files matching {@code glob}, in name order. */
    public List<String> names(String glob) {
        return files(glob).stream().map(p -> p.getFileName().toString()).toList();
    }

    private List<Path> files(String glob) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(p -> matcher.matches(p.getFileName()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JmhResult> entries(JsonNode array) {
        return array.values().stream().map(JmhResult::of).toList();
    }
}
