package dev.pmemspring.boot.autoconfigure.metrics;

import java.nio.file.Path;

import dev.pmemspring.boot.metrics.PmemPoolMetrics;
import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.core.PmemPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class PmemPoolMetricsAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        MetricsAutoConfiguration.class,
                        PmemPoolMetricsAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("pmem.pool.path=" + dir.resolve("m.pool"), "pmem.pool.size=8MB");
    }

    @Test
    void bindsThePoolMeters() {
        runner().run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            PmemPool pool = context.getBean(PmemPool.class);
            pool.transaction(tx -> tx.allocate(64));
            assertThat(registry.get("pmem.pool.size")
                            .tag("durability", "process")
                            .tag("mapping", "shared")
                            .tag("flush", "fence")
                            .tag("pool", "pmemPool")
                            .gauge()
                            .value())
                    .isEqualTo(8L << 20);
            assertThat(registry.get("pmem.pool.free").gauge().value()).isPositive();
            assertThat(registry.get("pmem.pool.size.initial").gauge().value()).isEqualTo(8L << 20);
            assertThat(registry.get("pmem.pool.size.max").gauge().value()).isEqualTo(32L << 20);
            assertThat(registry.get("pmem.pool.free.with.growth").gauge().value())
                    .isGreaterThan(registry.get("pmem.pool.free").gauge().value() + (23L << 20));
            assertThat(registry.get("pmem.pool.growths").functionCounter().count())
                    .isZero();
            assertThat(registry.get("pmem.pool.growth.failures")
                            .functionCounter()
                            .count())
                    .isZero();
            assertThat(registry.get("pmem.pool.used").gauge().value()).isNotNegative();
            assertThat(registry.get("pmem.pool.largest.free.block").gauge().value())
                    .isPositive();
            assertThat(registry.get("pmem.pool.objects").gauge()).isNotNull();
            assertThat(registry.get("pmem.pool.transactions")
                            .tag("result", "committed")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("pmem.pool.transactions")
                            .tag("result", "aborted")
                            .functionCounter()
                            .count())
                    .isZero();
            assertThat(registry.get("pmem.pool.recovery.time").timeGauge()).isNotNull();
            assertThat(registry.get("pmem.pool.recovery.redo.replayed").gauge().value())
                    .isZero();
            assertThat(registry.get("pmem.pool.recovery.transactions.rolled.back")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(registry.get("pmem.pool.recovery.unsafe.shutdown")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(registry.get("pmem.pool.recovery.stopped.when.last.open")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(registry.get("pmem.pool.stopped").gauge().value()).isZero();
            pool.close();
            assertThat(registry.get("pmem.pool.free").gauge().value()).isNaN();
        });
    }

    @Test
    void absentWithoutMicrometer() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(PmemPoolAutoConfiguration.class, PmemPoolMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .withPropertyValues("pmem.pool.path=" + dir.resolve("n.pool"), "pmem.pool.size=8MB")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PmemPoolMetrics.class));
    }

    @Test
    void absentWithoutARegistry() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(PmemPoolAutoConfiguration.class, PmemPoolMetricsAutoConfiguration.class))
                .withPropertyValues("pmem.pool.path=" + dir.resolve("r.pool"), "pmem.pool.size=8MB")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PmemPoolMetrics.class));
    }
}
