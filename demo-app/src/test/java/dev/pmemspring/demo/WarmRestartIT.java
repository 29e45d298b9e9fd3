package dev.pmemspring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The product's promise, from outside the JVM: warm the caches, {@code kill -9} the service, start
 * it again on the same pool, and it answers from the cache with no back-end call; time-to-live is
 * kept across the restart; the actuator reports the hits.
 */
class WarmRestartIT {

    private static final int PRODUCTS = 40;
    private static final Duration QUOTE_TTL = Duration.ofSeconds(4);
    private static final Duration READY = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    /**
     * Once as built for the JVM, once in Spring's ahead-of-time mode: the jar carries the context
     * the build's AOT processing generated (bean definitions as code, the runtime hints the pmem
     * starter and cache contribute), and {@code -Dspring.aot.enabled=true} starts from it.
     */
    @ParameterizedTest(name = "ahead-of-time: {0}")
    @ValueSource(booleans = {false, true})
    void killedServiceComesBackWarm(boolean aheadOfTime) throws Exception {
        Path pool = dir.resolve("demo.pool");
        Path log = DemoProcess.log("WarmRestartIT" + (aheadOfTime ? "-aot" : ""));
        List<String> jvm = aheadOfTime ? List.of("-Dspring.aot.enabled=true") : List.of();
        String[] args = {"--pmem.cache.caches.quotes.time-to-live=" + QUOTE_TTL.toSeconds() + "s"};
        JsonNode updated;
        long quotedAt;
        try (DemoProcess demo = DemoProcess.start(pool, log, jvm, args).awaitReady(READY)) {
            // a first call goes to the slow back end
            long start = System.nanoTime();
            demo.get("/products/p0");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
            getAll(demo, products());
            assertThat(demo.get("/backend").get("productLookups").asLong()).isEqualTo(PRODUCTS);
            // the second round is served by the cache
            getAll(demo, products());
            assertThat(demo.get("/backend").get("productLookups").asLong()).isEqualTo(PRODUCTS);

            // @CacheEvict on update: the next read loads the new item, and caches it
            demo.put("/products/p1", "{\"name\":\"Renamed\",\"priceCents\":4711}");
            updated = demo.get("/products/p1");
            assertThat(updated.get("priceCents").asLong()).isEqualTo(4711);
            assertThat(updated.get("revision").asInt()).isEqualTo(2);
            assertThat(demo.get("/backend").get("productLookups").asLong()).isEqualTo(PRODUCTS + 1);

            // the async cache: one back-end call, then hits
            demo.get("/quotes/q0");
            quotedAt = System.currentTimeMillis();
            demo.get("/quotes/q0");
            assertThat(demo.get("/backend").get("quoteLookups").asLong()).isEqualTo(1);

            demo.kill();
        }

        try (DemoProcess demo = DemoProcess.start(pool, log, jvm, args).awaitReady(READY)) {
            JsonNode first = demo.get("/products/p0");
            assertThat(first.get("name").asString()).isEqualTo("Item P0");
            // the first request of a new JVM pays for class loading; time one of the next, an item
            // this process has not read yet: a back-end call would take 200 ms
            long start = System.nanoTime();
            demo.get("/products/p2");
            Duration firstCall = Duration.ofNanos(System.nanoTime() - start);
            getAll(demo, products());
            // every item, the updated one included, came from the pool: the back end saw nothing
            assertThat(demo.get("/products/p1")).isEqualTo(updated);
            assertThat(demo.get("/backend").get("calls").asLong()).isZero();
            assertThat(firstCall).as("an item's first read after the restart").isLessThan(Duration.ofMillis(200));

            // the hits are on the actuator's cache meters
            JsonNode hits = demo.get("/actuator/metrics/cache.gets?tag=result:hit&tag=cache:products");
            assertThat(count(hits)).isGreaterThanOrEqualTo(PRODUCTS + 2);
            JsonNode misses = demo.get("/actuator/metrics/cache.gets?tag=result:miss&tag=cache:products");
            assertThat(count(misses)).isZero();

            // time-to-live holds across the restart: the quote was cached with a short one, and it
            // is stale now (waiting out the rest of it if the restart was quicker than that)
            long staleAt = quotedAt + QUOTE_TTL.toMillis() + 100;
            DemoProcess.sleep(Math.max(0, staleAt - System.currentTimeMillis()));
            demo.get("/quotes/q0");
            assertThat(demo.get("/backend").get("quoteLookups").asLong()).isEqualTo(1);
            demo.get("/quotes/q0");
            assertThat(demo.get("/backend").get("quoteLookups").asLong()).isEqualTo(1);

            // the pool is sound after the kill
            JsonNode check = demo.get("/actuator/pmem/check");
            assertThat(check.get("clean").asBoolean()).as(check.toString()).isTrue();
            assertThat(demo.stop()).as("exit code of a clean stop").isIn(0, 143);
        }
        // started with plain 'java -jar': the manifest's Enable-Native-Access and Add-Opens spared
        // the JDK's warnings (restricted methods; Fory's fallback to sun.misc.Unsafe) and ours
        String output = java.nio.file.Files.readString(log);
        assertThat(output).doesNotContain("restricted method").doesNotContain("sun.misc.Unsafe");
        // Boot says which way it started (the application's logger is at INFO)
        if (aheadOfTime) {
            assertThat(output).contains("Starting AOT-processed DemoApplication");
        } else {
            assertThat(output).contains("Starting DemoApplication").doesNotContain("AOT-processed");
        }
    }

    private static List<String> products() {
        return IntStream.range(0, PRODUCTS).mapToObj(i -> "/products/p" + i).toList();
    }

    /** GETs all paths at once (the back end sleeps; the warm-up takes one back-end latency, not forty). */
    private static void getAll(DemoProcess demo, List<String> paths) {
        CompletableFuture.allOf(paths.stream()
                        .map(p -> CompletableFuture.runAsync(() -> demo.get(p), Thread::startVirtualThread))
                        .toArray(CompletableFuture[]::new))
                .join();
    }

    private static double count(JsonNode metric) {
        for (JsonNode m : metric.get("measurements")) {
            if ("COUNT".equals(m.get("statistic").asString())) {
                return m.get("value").asDouble();
            }
        }
        throw new AssertionError("no COUNT in " + metric);
    }
}
