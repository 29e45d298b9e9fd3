package dev.pmemspring.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.palantir.javaformat.java.Formatter;
import com.palantir.javaformat.java.FormatterException;
import com.palantir.javaformat.java.JavaFormatterOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java source of the repository is laid out as palantir-java-format lays it out (imports and
 * Javadoc as written). Fix what it reports with {@code ./mvnw -pl source-format test -Dformat.apply=true}.
 */
class SourceFormatTest {

    private final Formatter formatter = Formatter.createFormatter(JavaFormatterOptions.builder()
            .style(JavaFormatterOptions.Style.PALANTIR)
            .build());

    @Test
    void everySourceIsFormatted() throws IOException {
        Path root = Path.of(System.getProperty("format.root", ".."))
                .toAbsolutePath()
                .normalize();
        boolean apply = Boolean.getBoolean("format.apply");
        List<Path> sources = sources(root);
        List<String> unformatted = new ArrayList<>();
        for (Path source : sources) {
            String text = Files.readString(source, StandardCharsets.UTF_8);
            String formatted;
            try {
                formatted = formatter.formatSource(text);
            } catch (FormatterException e) {
                unformatted.add(root.relativize(source) + ": cannot be parsed: " + e.getMessage());
                continue;
            }
            if (!formatted.equals(text)) {
                if (apply) {
                    Files.writeString(source, formatted, StandardCharsets.UTF_8);
                } else {
                    unformatted.add(root.relativize(source).toString());
                }
            }
        }
        assertTrue(sources.size() > 100, "found only " + sources.size() + " sources under " + root);
        assertTrue(
                unformatted.isEmpty(),
                unformatted.size() + " files are not formatted (run ./mvnw -pl"
                        + " source-format test -Dformat.apply=true): "
                        + String.join(", ", unformatted.subList(0, Math.min(20, unformatted.size())))
                        + (unformatted.size() > 20 ? ", ..." : ""));
    }

    private static List<Path> sources(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !isBuildOutput(root.relativize(f)))
                    .sorted()
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean isBuildOutput(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
