package dev.pmemspring.boot.autoconfigure.health;

import java.nio.file.Path;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.core.testing.FailingWriteBacks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmemHealthContributorAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class, PmemHealthContributorAutoConfiguration.class))
                .withPropertyValues("pmem.pool.path=" + dir.resolve("h.pool"), "pmem.pool.size=8MB");
    }

    @Test
    void reportsUpWithTheFigures() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(PmemHealthIndicator.class).hasBean("pmemHealthIndicator");
            Health health = context.getBean(PmemHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("path", dir.resolve("h.pool").toString())
                    .containsEntry("durability", "process")
                    .containsEntry("mapping", "shared")
                    .containsEntry("persistenceDomain", "unknown")
                    .containsEntry("flush", "fence")
                    .containsEntry("size", 8L << 20)
                    .containsEntry("maxSize", 32L << 20)
                    .containsEntry("growths", 0L)
                    .containsEntry("lowFreeSpace", false)
                    .containsKeys("used", "free", "freeRatio", "largestFreeBlock");
        });
    }

    @Test
    void aFullFileThatMayStillGrowIsNotLowOnSpace() {
        runner().withPropertyValues("pmem.health.free-space-warning-threshold=0.5")
                .run(context -> {
                    PmemPool pool = context.getBean(PmemPool.class);
                    pool.allocate(pool.stats().largestFreeBlock()); // the 8 MB file is full; it may grow to 32 MB
                    Health health = context.getBean(PmemHealthIndicator.class).health();
                    assertThat(health.getDetails()).containsEntry("lowFreeSpace", false);
                    assertThat((double) health.getDetails().get("freeRatio")).isGreaterThan(0.7);
                });
    }

    @Test
    void warnsBelowTheFreeSpaceThreshold() {
        runner().withPropertyValues("pmem.health.free-space-warning-threshold=0.9999")
                .run(context -> {
                    PmemPool pool = context.getBean(PmemPool.class);
                    pool.allocate(1 << 20);
                    Health health = context.getBean(PmemHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("lowFreeSpace", true);
                    assertThat((String) health.getDetails().get("warning")).contains("free-space-warning-threshold");
                });
    }

    @Test
    void lowFreeSpaceCanBeAStatusAsBootsDiskSpaceIndicatorMakesIt() {
        runner().withPropertyValues(
                        "pmem.health.free-space-warning-threshold=0.9999",
                        "pmem.health.low-free-space-status=out_of_service")
                .run(context -> {
                    PmemPool pool = context.getBean(PmemPool.class);
                    assertThat(context.getBean(PmemHealthIndicator.class)
                                    .health()
                                    .getStatus())
                            .isEqualTo(Status.UP);
                    pool.allocate(1 << 20);
                    Health health = context.getBean(PmemHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                    assertThat(health.getDetails()).containsEntry("lowFreeSpace", true);
                });
    }

    @Test
    void reportsDownWhenThePoolIsClosed() {
        runner().run(context -> {
            context.getBean(PmemPool.class).close();
            Health health = context.getBean(PmemHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void reportsDownOnceThePoolHasStoppedTakingChanges() {
        // In sync durability every persist point is an msync; they fail from the moment the storage
        // is told to, as msync does on an I/O error.
        FailingWriteBacks storage = new FailingWriteBacks();
        storage.opening(() -> runner().withPropertyValues("pmem.pool.durability=sync")
                .run(context -> {
                    PmemPool pool = context.getBean(PmemPool.class);
                    storage.failFromNow();
                    assertThatThrownBy(() -> pool.allocate(1 << 20)).isInstanceOf(PoolStoppedException.class);
                    Health health = context.getBean(PmemHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat((String) health.getDetails().get("error"))
                            .contains("takes no more changes", "Input/output error", "restart the service");
                }));
    }

    @Test
    void rejectsAThresholdOutsideZeroToOne() {
        runner().withPropertyValues("pmem.health.free-space-warning-threshold=1.5")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("pmem.health.free-space-warning-threshold"));
    }

    @Test
    void switchedOffByManagementHealthPmemEnabled() {
        runner().withPropertyValues("management.health.pmem.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PmemHealthIndicator.class));
    }

    @Test
    void absentWithoutTheHealthModule() {
        runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("pmemHealthIndicator"));
    }

    @Test
    void absentWithoutAPool() {
        runner().withPropertyValues("pmem.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("pmemHealthIndicator"));
    }
}
