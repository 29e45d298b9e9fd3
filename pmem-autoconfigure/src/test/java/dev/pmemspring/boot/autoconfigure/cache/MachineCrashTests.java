package dev.pmemspring.boot.autoconfigure.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.health.PmemHealthContributorAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.health.PmemHealthIndicator;
import dev.pmemspring.boot.autoconfigure.metrics.PmemCacheMetricsAutoConfiguration;
import dev.pmemspring.cache.SalvageReport;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolUnsafeShutdownException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

/**
 * With the default settings, a pool cut by a machine crash comes back by itself when it holds only
 * caches, and stays refused when it holds the application's own data.
 */
class MachineCrashTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class,
                        PmemHealthContributorAutoConfiguration.class,
                        PmemCacheMetricsAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .withUserConfiguration(Caching.class)
                .withPropertyValues(
                        "pmem.pool.path=" + dir.resolve("c.pool"),
                        "pmem.pool.size=16MB",
                        "pmem.pool.durability=process");
    }

    @Test
    void aPoolOfCachesOnlyIsOpenedAndKeepsWhatVerifies() throws Exception {
        runner().run(context ->
                context.getBean(PmemCacheManager.class).getCache("quotes").put("k", "v"));
        forgeMachineCrash(dir.resolve("c.pool"));
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PmemPool.class).lastRecovery().unsafeShutdown())
                    .isTrue();
            assertThat(context.getBean(PmemCacheManager.class)
                            .getCache("quotes")
                            .get("k")
                            .get())
                    .isEqualTo("v");
        });
    }

    @Test
    void entriesTornByTheCrashAreDroppedAndReportedInHealthAndMeters() throws Exception {
        runner().run(context -> {
            var quotes = context.getBean(PmemCacheManager.class).getCache("quotes");
            for (int i = 0; i < 10; i++) {
                quotes.put("k" + i, "value-" + i + "-" + "x".repeat(40));
            }
        });
        forgeMachineCrash(dir.resolve("c.pool"));
        tearValue(dir.resolve("c.pool"), "value-3-");
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            var quotes = context.getBean(PmemCacheManager.class).getCache("quotes");
            assertThat(quotes.get("k3")).isNull();
            assertThat(quotes.get("k4").get()).isEqualTo("value-4-" + "x".repeat(40));
            SalvageReport report =
                    context.getBean(PmemCacheManager.class).salvage().orElseThrow();
            assertThat(report.entriesKept()).isEqualTo(9);
            assertThat(report.entriesDropped()).isEqualTo(1);
            assertThat(report.caches()).containsEntry("quotes", new SalvageReport.Counts(9, 1));

            Health health = context.getBean(PmemHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("unsafeShutdown", true);
            @SuppressWarnings("unchecked")
            Map<String, Object> salvaged =
                    (Map<String, Object>) health.getDetails().get("salvaged");
            assertThat(salvaged)
                    .containsEntry("action", "salvage")
                    .containsEntry("entriesKept", 9L)
                    .containsEntry("entriesDropped", 1L);

            SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
            context.getBean("pmemCacheSalvageMetrics", MeterBinder.class).bindTo(registry);
            assertThat(registry.get("pmem.cache.salvaged.entries")
                            .tag("result", "dropped")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
            assertThat(registry.get("pmem.cache.salvaged.entries")
                            .tag("result", "kept")
                            .gauge()
                            .value())
                    .isEqualTo(9.0);
        });
        // the next clean start reports nothing salvaged
        runner().run(context -> {
            assertThat(context.getBean(PmemCacheManager.class).salvage()).isEmpty();
            assertThat(context.getBean(PmemHealthIndicator.class).health(true).getDetails())
                    .doesNotContainKey("salvaged");
        });
    }

    @Test
    void aPoolOfCachesOnlyTooDamagedToOpenIsMovedAsideAndTheCachesStartCold() throws Exception {
        runner().run(context ->
                context.getBean(PmemCacheManager.class).getCache("quotes").put("k", "v"));
        forgeMachineCrash(dir.resolve("c.pool"));
        // The first chunk header: the heap table starts after the header pages and 64 lanes of 8 KiB.
        putLong(dir.resolve("c.pool"), 3 * 4096 + 64 * 8192, 0);
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PmemCacheManager.class)
                            .getCache("quotes")
                            .get("k"))
                    .isNull();
            Health health = context.getBean(PmemHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            @SuppressWarnings("unchecked")
            Map<String, Object> salvaged =
                    (Map<String, Object>) health.getDetails().get("salvaged");
            assertThat(salvaged).containsEntry("action", "started-cold");
            assertThat((String) salvaged.get("damagedFile")).contains("c.pool.damaged-");
        });
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("c.pool.damaged-"));
        }
    }

    @Test
    void aPoolThatHoldsApplicationDataStaysRefused() throws Exception {
        try (PmemPool pool = PmemPool.create(
                dir.resolve("c.pool"),
                PoolOptions.layout("spring").withSize(16L << 20).withDurability(Durability.PROCESS))) {
            pool.root(64).putLong(0, 42);
            pool.map("cache/quotes");
        }
        forgeMachineCrash(dir.resolve("c.pool"));
        // Twice: the refusal reads the pool without changing it, so the next start refuses too.
        for (int start = 0; start < 2; start++) {
            runner().run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                        .rootCause()
                        .isInstanceOf(PoolUnsafeShutdownException.class)
                        .hasMessageContaining("machine")
                        .hasMessageContaining("a root block");
                PoolUnsafeShutdownException cut = (PoolUnsafeShutdownException) rootCause(context.getStartupFailure());
                assertThat(cut.hasRoot()).isTrue();
                assertThat(cut.mapNames()).containsExactly("cache/quotes");
            });
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Leaves the pool's shutdown mark as a process-mode pool open under another boot would. */
    private static void forgeMachineCrash(Path file) throws Exception {
        long stateWord = 2 * 4096 + 64; // the shutdown state's first word (PoolLayout.SHUTDOWN_STATE)
        long otherBoot = 0x5EED_CAFE_F00D_0000L; // a boot hash that is not this boot's
        putLong(file, stateWord, otherBoot | 2);
    }

    /** Flips a byte of the first value that starts with {@code marker}, as a torn page would leave it. */
    private static void tearValue(Path file, String marker) throws Exception {
        byte[] image = java.nio.file.Files.readAllBytes(file);
        byte[] needle = marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int at = 0; at + needle.length <= image.length; at++) {
            if (java.util.Arrays.equals(image, at, at + needle.length, needle, 0, needle.length)) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[] {(byte) ~image[at + needle.length]}), at + needle.length);
                }
                return;
            }
        }
        throw new AssertionError("no value starting with " + marker + " in the pool file");
    }

    private static void putLong(Path file, long offset, long value) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value), offset);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}
}
