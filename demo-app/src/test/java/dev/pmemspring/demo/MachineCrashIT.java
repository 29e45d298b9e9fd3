package dev.pmemspring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A machine crash with the default settings ({@code process} durability on an ordinary disk): the
 * service is killed, its pool's shutdown mark is left as an OS crash would leave it, and the
 * pages of some cached entries are torn (zeroed). A service whose pool holds only caches starts by itself, serves what
 * verified and loads the rest again; one whose pool also holds its own data (the ledger) refuses,
 * and says why.
 */
class MachineCrashIT {

    private static final int PRODUCTS = 40;
    private static final List<Integer> TORN = List.of(3, 11, 27);
    private static final Duration READY = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void aServiceWhosePoolHoldsOnlyCachesComesBackWithWhatVerified() throws Exception {
        Path pool = dir.resolve("demo.pool");
        Path log = DemoProcess.log("MachineCrashIT-caches");
        String[] cachesOnly = {"--demo.ledger.enabled=false"};
        try (DemoProcess demo = DemoProcess.start(pool, log, cachesOnly).awaitReady(READY)) {
            products().forEach(demo::get);
            assertThat(demo.get("/backend").get("productLookups").asLong()).isEqualTo(PRODUCTS);
            demo.kill();
        }
        forgeMachineCrash(pool);
        assertThat(tear(pool, "Item P" + TORN.getFirst()))
                .as("a cached value in the pool file")
                .isTrue();
        for (int sku : TORN.subList(1, TORN.size())) {
            tear(pool, "Item P" + sku); // false when it shared a page already torn
        }

        try (DemoProcess demo = DemoProcess.start(pool, log, cachesOnly).awaitReady(READY)) {
            JsonNode health = demo.get("/actuator/health/pmem");
            assertThat(health.get("status").asString()).isEqualTo("UP");
            JsonNode salvaged = health.get("details").get("salvaged");
            assertThat(salvaged).as(health.toString()).isNotNull();
            assertThat(salvaged.get("action").asString()).isEqualTo("salvage");
            // a torn page drops every entry on it: the chosen ones, and whichever shared their pages
            long dropped = salvaged.get("entriesDropped").asLong();
            assertThat(dropped).isPositive();
            assertThat(salvaged.get("entriesKept").asLong()).isEqualTo(PRODUCTS - dropped);

            for (int i = 0; i < PRODUCTS; i++) {
                assertThat(demo.get("/products/p" + i).get("name").asString()).isEqualTo("Item P" + i);
            }
            // only the dropped entries went to the back end again
            assertThat(demo.get("/backend").get("productLookups").asLong()).isEqualTo(dropped);
            JsonNode meter = demo.get("/actuator/metrics/pmem.cache.salvaged.entries?tag=result:dropped");
            assertThat(meter.get("measurements").get(0).get("value").asDouble()).isEqualTo(dropped);
            // What check names is what was set aside: a run whose first page (its header) was torn
            // is left unused; nothing else may be wrong.
            JsonNode check = demo.get("/actuator/pmem/check");
            for (JsonNode problem : check.get("problems")) {
                assertThat(problem.asString()).as(check.toString()).contains("has a damaged header");
            }
            assertThat(demo.stop()).as("exit code of a clean stop").isIn(0, 143);
        }
    }

    @Test
    void aServiceWhosePoolHoldsItsOwnDataRefusesAndSaysWhy() throws Exception {
        Path pool = dir.resolve("ledger.pool");
        Path log = DemoProcess.log("MachineCrashIT-ledger");
        try (DemoProcess demo = DemoProcess.start(pool, log).awaitReady(READY)) {
            demo.get("/products/p0");
            demo.kill();
        }
        forgeMachineCrash(pool);
        String before = DemoProcess.sha256(pool);

        DemoProcess demo = DemoProcess.start(pool, log);
        assertThat(demo.awaitExit(READY)).as("exit code").isNotZero();
        assertThat(demo.log())
                .contains("APPLICATION FAILED TO START", "machine", "a root block", "accept-unsafe-shutdown");
        assertThat(DemoProcess.sha256(pool))
                .as("the pool file after the refused start")
                .isEqualTo(before);
    }

    private static List<String> products() {
        return IntStream.range(0, PRODUCTS).mapToObj(i -> "/products/p" + i).toList();
    }

    /** Leaves the pool's shutdown mark as a pool open in process durability under another boot would. */
    private static void forgeMachineCrash(Path file) throws IOException {
        long stateWord = 2 * 4096 + 64; // the shutdown state's first word (PoolLayout.SHUTDOWN_STATE)
        long otherBoot = 0x5EED_CAFE_F00D_0000L; // a boot hash that is not this boot's
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, otherBoot | 2), stateWord);
        }
    }

    /**
     * Zeroes the 4 KiB page holding the cached value of {@code name} (not of a longer name it
     * begins): a page the kernel had not written back when the machine went down.
     */
    private static boolean tear(Path file, String name) throws IOException {
        byte[] image = Files.readAllBytes(file);
        byte[] needle = name.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at + needle.length < image.length; at++) {
            if (Character.isDigit(image[at + needle.length])) {
                continue;
            }
            if (java.util.Arrays.equals(image, at, at + needle.length, needle, 0, needle.length)) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.allocate(4096), at / 4096 * 4096);
                }
                return true;
            }
        }
        return false;
    }
}
