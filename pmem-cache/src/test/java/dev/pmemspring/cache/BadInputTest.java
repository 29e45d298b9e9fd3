package dev.pmemspring.cache;

import dev.pmemspring.cache.internal.KeyEncoder;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.cache.internal.StoredSettings;
import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What must never fail a request: damaged entries, changed or foreign classes, a machine crash. */
class BadInputTest {

    @TempDir
    Path dir;

    /** A class no allow-list names. */
    record Foreign(String payload) implements Serializable {}

    private static PmemCacheManager manager(PmemPool pool) {
        return PmemCacheManager.builder(pool)
                .cache(
                        "quotes",
                        PmemCacheSettings.defaults()
                                .withSerializer(JdkValueSerializer.allowing("dev.pmemspring.cache.Quote")))
                .build();
    }

    @Test
    void a_damaged_entry_is_a_counted_miss_and_is_removed() throws Exception {
        String marker = "DAMAGE-ME-" + "x".repeat(40);
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = manager(pool).getCache("quotes");
            cache.put("bad", marker);
            cache.put("good", "fine");
        }
        flipByteOf(dir.resolve("cache.pool"), marker);
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = manager(pool).getCache("quotes");
            assertThat(cache.get("bad")).isNull();
            assertThat(cache.get("good", String.class)).isEqualTo("fine");
            PmemCacheStats stats = cache.stats();
            assertThat(stats.checksumFailures()).isEqualTo(1);
            assertThat(stats.misses()).isEqualTo(1);
            assertThat(stats.size()).isEqualTo(1);
            assertThat(pool.check().clean()).isTrue();
        }
    }

    @Test
    void a_value_whose_class_changed_is_a_counted_miss_and_is_removed() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = manager(pool).getCache("quotes");
            cache.put("k", new Quote("ACME", BigDecimal.ONE));
            // as if the next release renamed the class: the stored bytes name one that is gone
            PmemMap map = cache.getNativeCache();
            byte[] key = KeyEncoder.encode("k");
            byte[] stored = map.get(key);
            replace(stored, "cache.Quote", "cache.Quotx");
            map.put(key, stored);
            cache.put("other", new Quote("B", BigDecimal.TEN));

            assertThat(cache.get("k")).isNull();
            assertThat(cache.stats().deserializationFailures()).isEqualTo(1);
            assertThat(map.get(key)).isNull();
            assertThat(cache.get("other", Quote.class)).isEqualTo(new Quote("B", BigDecimal.TEN));
            assertThat(cache.get("k", () -> new Quote("ACME", BigDecimal.TWO)).price())
                    .isEqualTo(BigDecimal.TWO);
        }
    }

    @Test
    void a_foreign_class_is_refused_on_put_and_blocked_on_read() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = manager(pool).getCache("quotes");
            assertThatThrownBy(() -> cache.put("k", new Foreign("x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Foreign.class.getName())
                    .hasMessageContaining("allowed classes");
            // hidden inside an allowed container it gets written, and the filter stops it on read
            List<Object> smuggled = new ArrayList<>(List.of(new Foreign("gadget")));
            cache.put("list", smuggled);
            assertThat(cache.get("list")).isNull();
            assertThat(cache.stats().deserializationFailures()).isEqualTo(1);
            assertThat(cache.estimatedSize()).isZero();
        }
    }

    @Test
    void a_value_that_cannot_be_serialized_fails_with_a_message() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .defaults(PmemCacheSettings.defaults().withSerializer(JdkValueSerializer.standard()))
                    .build()
                    .getCache("c");
            assertThatThrownBy(() -> cache.put("k", new java.util.ArrayList<>(List.of(new Object()))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not Serializable");
        }
    }

    @Test
    void a_value_fory_cannot_write_fails_with_a_message() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool).build().getCache("c"); // Fory, the default
            Runnable lambda = () -> {};
            assertThatThrownBy(() -> cache.put("k", new java.util.ArrayList<>(List.of(lambda))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("with Fory");
        }
    }

    @Test
    void after_an_unsafe_shutdown_caches_are_salvaged_with_a_warning() throws Exception {
        populate();
        forgeMachineCrash(dir.resolve("cache.pool"));
        try (PmemPool pool =
                PmemPool.open(dir.resolve("cache.pool"), TestPools.options().withAcceptUnsafeShutdown(true))) {
            assertThat(pool.lastRecovery().unsafeShutdown()).isTrue();
            PmemCache cache = manager(pool).getCache("quotes");
            assertThat(cache.get("k", Quote.class)).isEqualTo(new Quote("ACME", BigDecimal.ONE));
            assertThat(cache.getNativeCache().stats().salvageDropped()).isZero();
        }
    }

    @Test
    void after_an_unsafe_shutdown_a_cache_whose_catalogue_record_was_torn_is_still_reported() throws Exception {
        populate();
        // the catalogue's record: the name, then the settings, which start with their format version
        byte version = StoredSettings.of(PmemCacheSettings.defaults()).encode()[0];
        flipByteOf(dir.resolve("cache.pool"), "quotes" + (char) version);
        forgeMachineCrash(dir.resolve("cache.pool"));
        try (PmemPool pool =
                PmemPool.open(dir.resolve("cache.pool"), TestPools.options().withAcceptUnsafeShutdown(true))) {
            PmemCacheManager manager = manager(pool);
            assertThat(pool.map("pmem-cache").stats().salvageDropped()).isEqualTo(1);
            SalvageReport report = manager.salvage().orElseThrow();
            assertThat(report.caches()).containsKey("quotes");
            assertThat(report.entriesKept()).isEqualTo(1);
        }
    }

    @Test
    void after_an_unsafe_shutdown_caches_can_start_cold() throws Exception {
        populate();
        forgeMachineCrash(dir.resolve("cache.pool"));
        try (PmemPool pool =
                PmemPool.open(dir.resolve("cache.pool"), TestPools.options().withAcceptUnsafeShutdown(true))) {
            PmemCacheManager manager = PmemCacheManager.builder(pool)
                    .cache("quotes", PmemCacheSettings.defaults())
                    .afterUnsafeShutdown(AfterUnsafeShutdown.START_COLD)
                    .build();
            assertThat(manager.getCache("quotes").get("k")).isNull();
            assertThat(manager.getCache("quotes").estimatedSize()).isZero();
        }
    }

    private void populate() {
        try (PmemPool pool = TestPools.open(dir)) {
            manager(pool).getCache("quotes").put("k", new Quote("ACME", BigDecimal.ONE));
        }
    }

    /** Leaves the pool's shutdown mark as a process-mode pool open under another boot would. */
    private static void forgeMachineCrash(Path file) throws Exception {
        long stateWord = 2 * 4096 + 64; // PoolLayout.SHUTDOWN_STATE
        long otherBoot = 0x5EED_CAFE_F00D_0000L; // a boot hash that is not this boot's
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, otherBoot | 2), stateWord);
        }
    }

    private static void flipByteOf(Path file, String marker) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, marker.getBytes(StandardCharsets.UTF_8));
        assertThat(at).as("marker in pool file").isNotNegative();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (bytes[at + 5] ^ 0x20)}), at + 5);
        }
    }

    private static void replace(byte[] bytes, String from, String to) {
        int at = indexOf(bytes, from.getBytes(StandardCharsets.UTF_8));
        assertThat(at).isNotNegative();
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(t, 0, bytes, at, t.length);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
