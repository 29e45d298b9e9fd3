package dev.pmemspring.jcache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.core.PmemPool;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM doing puts, {@code invoke}s and removes through the JCache API is killed with
 * {@code kill -9} again and again ({@code -Dpmem.jcache.crash.kills}, 50 by default); after each
 * kill the pool is reopened here: the check is clean, and every key holds what the acknowledged
 * operations left, except the key of the one operation in flight, which holds that state or the
 * one after it.
 */
class JCacheCrashTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedOperationSurvivesKill9() throws Exception {
        int kills = Integer.getInteger("pmem.jcache.crash.kills", 50);
        Path pool = dir.resolve("jcache.pool");
        Map<Integer, Long> model = new HashMap<>(); // what each key holds
        long next = 0;
        long operations = 0;
        for (int round = 0; round < kills; round++) {
            Path out = dir.resolve("child-" + round + ".out");
            Process child = start(pool, next, out);
            awaitReady(child, out);
            Thread.sleep(ThreadLocalRandom.current().nextInt(20, 250));
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            child.waitFor();

            long lastAcked = lastAcknowledged(out, next);
            for (long i = next; i <= lastAcked; i++) {
                put(model, CrashWorkload.key(i), CrashWorkload.apply(i, model.get(CrashWorkload.key(i))));
            }
            operations += lastAcked - next + 1;
            long inFlight = lastAcked + 1;
            int flightKey = CrashWorkload.key(inFlight);
            Long before = model.get(flightKey);
            Long after = CrashWorkload.apply(inFlight, before);

            CacheManager manager = Caching.getCachingProvider().getCacheManager(pool.toUri(), null);
            try {
                assertThat(manager.unwrap(PmemPool.class).check().clean())
                        .as("round %d: check", round)
                        .isTrue();
                Cache<Integer, Long> cache = manager.getCache(CrashWorkload.CACHE, Integer.class, Long.class);
                assertThat(cache).as("round %d: the cache came back", round).isNotNull();
                for (int key = 0; key < CrashWorkload.KEYS; key++) {
                    Long found = cache.get(key);
                    if (key == flightKey) {
                        assertThat(found == null ? "absent" : found)
                                .as("round %d, key %d (operation %d in flight)", round, key, inFlight)
                                .isIn(before == null ? "absent" : before, after == null ? "absent" : after);
                        put(model, key, found); // the next round starts from what is there
                    } else {
                        assertThat(found).as("round %d, key %d", round, key).isEqualTo(model.get(key));
                    }
                }
            } finally {
                manager.close();
            }
            next = inFlight + 1;
        }
        System.out.println("JCacheCrashTest: " + kills + " kills, " + operations
                + " acknowledged puts, invokes and removes, every one found after its kill");
        assertThat(operations).as("operations acknowledged over all rounds").isGreaterThan(kills);
    }

    private static void put(Map<Integer, Long> model, int key, Long value) {
        if (value == null) {
            model.remove(key);
        } else {
            model.put(key, value);
        }
    }

    private static Process start(Path pool, long first, Path out) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(
                        java,
                        "-Xmx96m",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashWorkload.class.getName(),
                        pool.toString(),
                        Long.toString(first))
                .redirectOutput(out.toFile()) // a file, not a pipe: nothing buffered is lost at the kill
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static void awaitReady(Process child, Path out) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(out)
                || !Files.readString(out, StandardCharsets.UTF_8).startsWith("READY\n")) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                child.destroyForcibly();
                throw new AssertionError(
                        "child did not get ready: " + (Files.exists(out) ? Files.readString(out) : ""));
            }
            Thread.sleep(5);
        }
    }

    /** The last operation the child acknowledged (first - 1 if none); a line cut by the kill counts for nothing. */
    private static long lastAcknowledged(Path out, long first) throws Exception {
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        long last = first - 1;
        String text = Files.readString(out, StandardCharsets.UTF_8);
        boolean cut = !text.endsWith("\n");
        for (int i = 1; i < lines.size(); i++) {
            if (cut && i == lines.size() - 1) {
                break;
            }
            long n = Long.parseLong(lines.get(i).trim());
            assertThat(n).as("acknowledged in order").isEqualTo(last + 1);
            last = n;
        }
        return last;
    }
}
