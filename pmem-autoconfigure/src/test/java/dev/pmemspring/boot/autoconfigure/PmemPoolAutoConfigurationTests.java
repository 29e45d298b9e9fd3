package dev.pmemspring.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.pmemspring.boot.PmemPoolOptionsCustomizer;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MappingMode;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolLayoutMismatchException;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolInUseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;

class PmemPoolAutoConfigurationTests {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PmemPoolAutoConfiguration.class));

    private String path(String name) {
        return "pmem.pool.path=" + dir.resolve(name);
    }

    @Test
    void createsThePoolAndItsFoldersWithTheDefaults() {
        Path file = dir.resolve("a/b/app.pool");
        runner.withPropertyValues("pmem.pool.path=" + file).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(PmemPool.class);
            PmemPool pool = context.getBean(PmemPool.class);
            assertThat(Files.exists(file)).isTrue();
            assertThat(pool.info().layout()).isEqualTo("spring");
            assertThat(pool.stats().poolSize()).isEqualTo(64L << 20);
            assertThat(pool.stats().maxSize())
                    .as("grows to four times its size")
                    .isEqualTo(256L << 20);
            // a temporary folder is no DAX file system: the default is chosen by the mapping
            assertThat(pool.mapping()).isEqualTo(MappingMode.SHARED);
            assertThat(pool.durability()).isEqualTo(Durability.PROCESS);
        });
    }

    @Test
    void growsOnlineUpToMaxSizeByGrowthStep() {
        runner.withPropertyValues(
                        path("g.pool"), "pmem.pool.size=8MB", "pmem.pool.max-size=40MB", "pmem.pool.growth-step=4MB")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PmemPool pool = context.getBean(PmemPool.class);
                    for (int i = 0; i < 5_000; i++) {
                        pool.allocate(4096);
                    }
                    assertThat(pool.stats().poolSize()).isBetween(20L << 20, 40L << 20);
                    assertThat(pool.stats().growths()).isGreaterThanOrEqualTo(3);
                    assertThat(pool.stats().maxSize()).isEqualTo(40L << 20);
                });
    }

    @Test
    void aMaxSizeBelowTheSizeFailsNamingTheProperty() {
        runner.withPropertyValues(path("m.pool"), "pmem.pool.size=16MB", "pmem.pool.max-size=8MB")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("pmem.pool.max-size")
                        .hasStackTraceContaining("at least pmem.pool.size"));
    }

    @Test
    void bindsEveryPoolProperty() {
        runner.withPropertyValues(
                        path("p.pool"),
                        "pmem.pool.size=16MB",
                        "pmem.pool.layout=orders",
                        "pmem.pool.durability=sync",
                        "pmem.pool.lock-timeout=250ms",
                        "pmem.pool.accept-unsafe-shutdown=true",
                        "pmem.pool.create-if-missing=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PmemPool pool = context.getBean(PmemPool.class);
                    assertThat(pool.stats().poolSize()).isEqualTo(16L << 20);
                    assertThat(pool.info().layout()).isEqualTo("orders");
                    assertThat(pool.durability()).isEqualTo(Durability.SYNC);
                    PmemProperties.Pool props =
                            context.getBean(PmemProperties.class).getPool();
                    assertThat(props.getLockTimeout()).isEqualTo(Duration.ofMillis(250));
                    assertThat(props.isAcceptUnsafeShutdown()).isTrue();
                });
    }

    @Test
    void opensAnExistingPoolAndClosesItWithTheContext() {
        Path file = dir.resolve("reopen.pool");
        PmemPool[] first = new PmemPool[1];
        runner.withPropertyValues("pmem.pool.path=" + file, "pmem.pool.durability=process")
                .run(context -> {
                    first[0] = context.getBean(PmemPool.class);
                    first[0].root(64).putLong(0, 4711);
                    first[0].root(64).persist();
                });
        assertThat(first[0].isClosed()).isTrue();
        runner.withPropertyValues("pmem.pool.path=" + file, "pmem.pool.durability=process")
                .run(context -> assertThat(
                                context.getBean(PmemPool.class).root(64).getLong(0))
                        .isEqualTo(4711));
    }

    @Test
    void backsOffWhenTheApplicationDefinesAPool() {
        runner.withPropertyValues(path("ignored.pool"))
                .withUserConfiguration(OwnPool.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(PmemPool.class).hasBean("ownPool");
                    assertThat(Files.exists(dir.resolve("ignored.pool"))).isFalse();
                });
    }

    @Test
    void switchedOffByPmemEnabled() {
        runner.withPropertyValues(path("off.pool"), "pmem.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(PmemPool.class));
    }

    @Test
    void appliesOptionsCustomizersInOrder() {
        runner.withPropertyValues(path("c.pool"), "pmem.pool.size=16MB")
                .withBean(PmemPoolOptionsCustomizer.class, () -> o -> o.withSize(32L << 20))
                .run(context -> assertThat(
                                context.getBean(PmemPool.class).stats().poolSize())
                        .isEqualTo(32L << 20));
    }

    @Test
    void failsClearlyWithoutAPath() {
        runner.run(context -> assertThat(context)
                .getFailure()
                .rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("pmem.pool.path"));
    }

    @Test
    void rejectsATooSmallPool() {
        runner.withPropertyValues(path("sub/small.pool"), "pmem.pool.size=1MB").run(context -> {
            assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("pmem.pool.size");
            assertThat(Files.exists(dir.resolve("sub"))).isFalse(); // nothing touched the disk
        });
    }

    @Test
    void rejectsALayoutNameThatIsTooLong() {
        runner.withPropertyValues(path("l.pool"), "pmem.pool.layout=" + "x".repeat(64))
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("pmem.pool.layout"));
    }

    @Test
    void rejectsValuesThatDoNotBind() {
        runner.withPropertyValues(path("b.pool"), "pmem.pool.size=lots").run(context -> {
            assertThat(context).getFailure().hasStackTraceContaining("pmem.pool.size");
            assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
                    .isNotNull();
            assertThat(causes(context.getStartupFailure())).anyMatch(BindException.class::isInstance);
        });
        runner.withPropertyValues(path("b.pool"), "pmem.pool.durability=sometimes")
                .run(context -> {
                    assertThat(context).getFailure().hasStackTraceContaining("pmem.pool.durability");
                    assertThat(causes(context.getStartupFailure())).anyMatch(BindException.class::isInstance);
                });
    }

    @Test
    void doesNotCreateWhenToldNotTo() {
        runner.withPropertyValues(path("none.pool"), "pmem.pool.create-if-missing=false")
                .run(context -> {
                    assertThat(context)
                            .getFailure()
                            .rootCause()
                            .isInstanceOf(PmemException.class)
                            .hasMessageContaining("create-if-missing");
                    assertThat(Files.exists(dir.resolve("none.pool"))).isFalse();
                });
    }

    @Test
    void failsOnAPoolOfAnotherLayout() {
        Path file = dir.resolve("other.pool");
        PmemPool.create(file, PoolOptions.layout("other").withSize(8L << 20)).close();
        runner.withPropertyValues("pmem.pool.path=" + file)
                .run(context ->
                        assertThat(context).getFailure().rootCause().isInstanceOf(PoolLayoutMismatchException.class));
    }

    @Test
    void failsOnAPoolOpenElsewhere() {
        Path file = dir.resolve("busy.pool");
        try (PmemPool held = PmemPool.create(file, PoolOptions.layout("spring").withSize(8L << 20))) {
            runner.withPropertyValues("pmem.pool.path=" + file)
                    .run(context ->
                            assertThat(context).getFailure().rootCause().isInstanceOf(PoolInUseException.class));
        }
    }

    static java.util.List<Throwable> causes(Throwable t) {
        java.util.List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnPool {

        @Bean(destroyMethod = "close")
        PmemPool ownPool(org.springframework.core.env.Environment env) throws Exception {
            Path file = Files.createTempDirectory("own-pool").resolve("own.pool");
            return PmemPool.create(
                    file, PoolOptions.layout("own").withSize(8L << 20).withDurability(Durability.PROCESS));
        }
    }
}
