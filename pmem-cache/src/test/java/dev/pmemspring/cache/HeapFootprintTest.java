package dev.pmemspring.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The JVM heap does not grow with the number of cached entries: a million fit in a 24 MiB heap. */
class HeapFootprintTest {

    @TempDir
    Path dir;

    @Test
    void a_million_entries_run_in_a_small_heap() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path out = dir.resolve("probe.out");
        Process child = new ProcessBuilder(
                        java,
                        "-Xmx24m",
                        "-XX:+UseSerialGC",
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        HeapFootprintProbe.class.getName(),
                        dir.resolve("probe.pool").toString(),
                        "1000000")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isZero();
        Matcher m = Pattern.compile("heapBeforeMiB=([\\d.]+) heapAfterMiB=([\\d.]+)")
                .matcher(output);
        assertThat(m.find()).as(output).isTrue();
        double growth = Double.parseDouble(m.group(2)) - Double.parseDouble(m.group(1));
        assertThat(growth).as("heap growth in MiB for 1M entries: %s", output).isLessThan(4.0);
    }
}
