package dev.pmemspring.boot.autoconfigure.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
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
                        CacheAutoConfiguration.class))
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

    private static void putLong(Path file, long offset, long value) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value), offset);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}
}
