package dev.pmemspring.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

import dev.pmemspring.cache.redis.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several instances of the demo (child JVMs, a pool each) on one private redis-server and one
 * shared catalogue: what one changes, the others drop; a killed instance comes back serving none
 * of what changed meanwhile and all of the rest from its pool; a change cut by {@code kill -9}
 * before it was sent is sent by the next start.
 */
class CoherenceIT {

    private static final Duration READY = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    RedisServer redis;
    SharedCatalogue catalogue;

    @BeforeEach
    void start() {
        redis = RedisServer.start(dir.resolve("redis"), true); // with its AOF: a restart keeps the stream
        catalogue = SharedCatalogue.start();
    }

    @AfterEach
    void stop() {
        catalogue.close();
        redis.close();
    }

    private DemoProcess instance(String name) {
        return DemoProcess.start(
                dir.resolve(name + ".pool"),
                DemoProcess.log("CoherenceIT-" + name),
                "--pmem.cache.coherence.mode=redis",
                "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--spring.data.redis.timeout=2s",
                "--demo.backend.url=" + catalogue.url());
    }

    @Test
    void threeInstancesAgreeWithTheCatalogueThroughRandomChangesAndARedisOutage() {
        try (DemoProcess a = instance("a");
                DemoProcess b = instance("b");
                DemoProcess c = instance("c")) {
            List<DemoProcess> all = List.of(a.awaitReady(READY), b.awaitReady(READY), c.awaitReady(READY));
            for (DemoProcess d : all) {
                for (int i = 0; i < 100; i++) {
                    d.get("/products/p" + i);
                }
            }

            // an update (@CacheEvict) on A: B and C drop their copy and load the new one
            long start = System.nanoTime();
            a.put("/products/p1", "{\"priceCents\":4711}");
            awaitTrue(() -> revision(b, "p1") == 2 && revision(c, "p1") == 2, "B and C see A's update of p1");
            System.out.printf(
                    "evict on A seen by B and C after %d ms (polling, HTTP included)%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());

            // 1,000 random reads and updates over the instances; Redis is away for 300 of them
            Random random = new Random(16);
            for (int op = 0; op < 1000; op++) {
                if (op == 400) {
                    redis.stop();
                } else if (op == 700) {
                    redis.restart();
                }
                DemoProcess d = all.get(random.nextInt(all.size()));
                String sku = "p" + random.nextInt(100);
                if (random.nextInt(10) < 3) {
                    d.put("/products/" + sku, "{\"priceCents\":" + random.nextInt(100_000) + "}");
                } else {
                    d.get("/products/" + sku); // every request answers, Redis or not
                }
            }

            for (DemoProcess d : all) {
                awaitTrue(
                        () -> coherence(d).get("pending").asLong() == 0
                                && "UP".equals(coherence(d).get("state").asString()),
                        "every change sent, coherence up");
            }
            awaitTrue(() -> disagreements(all).isEmpty(), "every instance agrees with the catalogue for every key");
            for (DemoProcess d : all) {
                assertThat(coherence(d).get("resyncs").asLong())
                        .as("Redis kept its stream")
                        .isZero();
                assertThat(coherence(d).get("applied").asLong()).isPositive();
            }
        }
    }

    @Test
    void aKilledInstanceComesBackWithoutWhatChangedAndWarmForTheRest() {
        try (DemoProcess a = instance("a").awaitReady(READY)) {
            DemoProcess b = instance("b").awaitReady(READY);
            for (int i = 0; i < 300; i++) {
                a.get("/products/p" + i);
                b.get("/products/p" + i);
            }
            awaitTrue(() -> coherence(a).get("pending").asLong() == 0, "A idle");
            b.kill();

            // 1,000 updates on A over p0..p99 while B is down; p100..p299 do not change
            Random random = new Random(17);
            for (int op = 0; op < 1000; op++) {
                a.put("/products/p" + random.nextInt(100), "{\"priceCents\":" + op + "}");
            }
            awaitTrue(() -> coherence(a).get("pending").asLong() == 0, "A sent its changes");

            try (DemoProcess b2 = instance("b").awaitReady(READY)) {
                // start-up waited for the catch-up: the first answers are already right
                for (int i = 0; i < 100; i++) {
                    String sku = "p" + i;
                    assertThat(revision(b2, sku))
                            .as("%s changed while B was down", sku)
                            .isEqualTo(catalogue.revision(sku));
                }
                long loadsForChanged = b2.get("/backend").get("productLookups").asLong();
                for (int i = 100; i < 300; i++) {
                    assertThat(revision(b2, "p" + i)).isEqualTo(1);
                }
                assertThat(b2.get("/backend").get("productLookups").asLong())
                        .as("every unchanged key is a hit: no back-end call")
                        .isEqualTo(loadsForChanged);
                assertThat(loadsForChanged).as("only changed keys are loaded").isLessThanOrEqualTo(100);
                JsonNode state = coherence(b2);
                assertThat(state.get("resyncs").asLong()).isZero();
                assertThat(state.get("applied").asLong()).isGreaterThanOrEqualTo(100);
            }
        }
    }

    @Test
    void aChangeCutByKillBeforeItWasSentIsSentByTheNextStart() {
        try (DemoProcess b = instance("b").awaitReady(READY)) {
            try (DemoProcess a = instance("a").awaitReady(READY)) { // closed even if an assertion fails
                b.get("/products/p7");
                a.get("/products/p7");

                redis.stop();
                a.put("/products/p7", "{\"priceCents\":777}"); // recorded in A's pool, not sent: Redis is away
                assertThat(coherence(a).get("pending").asLong()).isPositive();
                a.kill();
            }
            redis.restart();
            assertThat(revision(b, "p7")).as("nobody told B yet").isEqualTo(1);

            try (DemoProcess a2 = instance("a").awaitReady(READY)) {
                awaitTrue(() -> revision(b, "p7") == 2, "B dropped p7 once the restarted A sent the change");
                awaitTrue(() -> coherence(a2).get("pending").asLong() == 0, "A2's change acknowledged by Redis");
            }
        }
    }

    private static long revision(DemoProcess d, String sku) {
        return d.get("/products/" + sku).get("revision").asLong();
    }

    private static JsonNode coherence(DemoProcess d) {
        JsonNode c = d.get("/actuator/pmem").get("coherence");
        assertThat(c).as("the pmem endpoint shows the coherence").isNotNull();
        return c;
    }

    private List<String> disagreements(List<DemoProcess> all) {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int k = 0; k < 100; k++) {
                String sku = "p" + k;
                long seen = revision(all.get(i), sku);
                if (seen != catalogue.revision(sku)) {
                    wrong.add("instance " + i + " " + sku + " revision " + seen + " != " + catalogue.revision(sku));
                }
            }
        }
        return wrong;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            DemoProcess.sleep(20);
        }
    }
}
