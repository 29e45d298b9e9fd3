package dev.pmemspring.cache;

import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise of the product: a JVM killed with {@code kill -9} while writing leaves a cache that
 * the next process opens warm, every acknowledged write present, deadlines still counting from
 * the time of writing, and the pool consistent.
 */
class RestartSurvivalTest {

    @TempDir
    Path dir;

    @Test
    void a_killed_writer_leaves_a_warm_and_consistent_cache() throws Exception {
        Path pool = dir.resolve("cache.pool");
        for (int round = 0; round < 5; round++) {
            Path out = dir.resolve("child-" + round + ".out");
            Process child = start(pool, out);
            long readyAt = awaitReady(child, out);
            Thread.sleep(ThreadLocalRandom.current().nextInt(20, 300));
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            child.waitFor();
            Map<Integer, Long> acknowledged = acknowledged(out);
            long inFlight = acknowledged.values().stream()
                            .mapToLong(Long::longValue)
                            .max()
                            .orElse(0)
                    + 1;

            try (PmemPool reopened = PmemPool.open(pool, TestPools.options())) {
                assertThat(reopened.check().clean()).isTrue();
                PmemCacheManager manager = CachePopulator.manager(reopened);
                PmemCache quotes = manager.getCache("quotes");
                PmemCacheStats fresh = quotes.stats();
                assertThat(fresh.hits()).isZero();
                assertThat(fresh.size()).isEqualTo(CachePopulator.ENTRIES);
                for (int i = 0; i < CachePopulator.ENTRIES; i++) {
                    Quote q = quotes.get("Q" + i, Quote.class);
                    assertThat(q).as("quote %d", i).isNotNull();
                    long version = q.price().longValueExact();
                    // the last acknowledged version, or the one in flight when the kill came
                    long acked = acknowledged.getOrDefault(i, 0L);
                    if (inFlight % CachePopulator.ENTRIES == i) {
                        assertThat(version).as("quote %d", i).isIn(acked, inFlight);
                    } else {
                        assertThat(version).as("quote %d", i).isEqualTo(acked);
                    }
                }
                assertThat(quotes.stats().hits()).isEqualTo(CachePopulator.ENTRIES);
                assertThat(quotes.stats().misses()).isZero();
                if (round == 4) {
                    PmemCache brief = manager.getCache("brief");
                    long sinceWrite = System.currentTimeMillis() - readyAt;
                    Thread.sleep(Math.max(0, 3_500 - sinceWrite)); // deadlines count across the restart
                    assertThat(brief.get(0)).isNull();
                    assertThat(brief.get(CachePopulator.ENTRIES - 1)).isNull();
                }
            }
        }
    }

    private static Process start(Path pool, Path out) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(
                        java,
                        "-Xmx128m",
                        "-XX:TieredStopAtLevel=1",
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                        "-Djava.util.logging.config.file="
                                + Path.of("src/test/resources/logging.properties")
                                        .toAbsolutePath(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CachePopulator.class.getName(),
                        pool.toString())
                .redirectOutput(out.toFile()) // a file, not a pipe: nothing buffered is lost at the kill
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static long awaitReady(Process child, Path out) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(out)
                || !Files.readString(out, StandardCharsets.UTF_8).startsWith("READY\n")) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                child.destroyForcibly();
                throw new AssertionError("child did not get ready");
            }
            Thread.sleep(5);
        }
        return System.currentTimeMillis();
    }

    private static Map<Integer, Long> acknowledged(Path out) throws Exception {
        Map<Integer, Long> last = new HashMap<>();
        List<String> lines = new ArrayList<>(Files.readAllLines(out, StandardCharsets.UTF_8));
        for (String line : lines.subList(1, lines.size())) {
            String[] parts = line.split(" ");
            if (parts.length == 2 && !parts[1].isEmpty()) { // the last line may be cut
                try {
                    last.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                } catch (NumberFormatException torn) {
                    // a line cut by the kill acknowledges nothing
                }
            }
        }
        return last;
    }
}
