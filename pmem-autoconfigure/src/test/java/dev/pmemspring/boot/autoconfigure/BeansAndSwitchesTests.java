package dev.pmemspring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.boot.autoconfigure.cache.PmemCacheAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.endpoint.PmemEndpoint;
import dev.pmemspring.boot.autoconfigure.endpoint.PmemEndpointAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.health.PmemHealthContributorAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.health.PmemHealthIndicator;
import dev.pmemspring.boot.autoconfigure.metrics.PmemCacheMetricsAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.metrics.PmemPoolMetricsAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.transaction.PmemTransactionAutoConfiguration;
import dev.pmemspring.boot.metrics.PmemPoolMetrics;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.transaction.PmemTransactionManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * {@code pmem.enabled=false} switches every pmem auto-configuration off, a pool of the
 * application's own included; the beans that need a pool follow Boot's single-candidate rule, so
 * with two pools they use the primary one, and with two and no primary they back off.
 */
class BeansAndSwitchesTests {

    @TempDir
    static Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    PmemPoolAutoConfiguration.class,
                    PmemTransactionAutoConfiguration.class,
                    PmemPoolMetricsAutoConfiguration.class,
                    PmemHealthContributorAutoConfiguration.class,
                    PmemEndpointAutoConfiguration.class,
                    PmemCacheAutoConfiguration.class,
                    PmemCacheMetricsAutoConfiguration.class,
                    CacheAutoConfiguration.class,
                    TransactionAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withUserConfiguration(Caching.class);

    @Test
    void disabledMeansNothingOfPmemBesideTheApplicationsOwnPool() {
        runner.withUserConfiguration(OnePool.class)
                .withPropertyValues("pmem.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PmemPool.class);
                    assertThat(context)
                            .doesNotHaveBean(PmemCacheManager.class)
                            .doesNotHaveBean(PmemTransactionManager.class)
                            .doesNotHaveBean(PmemHealthIndicator.class)
                            .doesNotHaveBean(PmemEndpoint.class)
                            .doesNotHaveBean(PmemPoolMetrics.class)
                            .doesNotHaveBean(PmemPoolStartup.class);
                });
    }

    @Test
    void withTwoPoolsThePrimaryOneIsUsed() {
        runner.withUserConfiguration(TwoPoolsOnePrimary.class).run(context -> {
            assertThat(context).hasNotFailed();
            PmemPool main = context.getBean("mainPool", PmemPool.class);
            assertThat(context.getBean(PmemCacheManager.class).pool()).isSameAs(main);
            assertThat(context.getBean(PmemTransactionManager.class).getPool()).isSameAs(main);
            assertThat(context.getBean(PmemHealthIndicator.class).health(true).getDetails())
                    .containsEntry("path", main.path().toString());
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(PmemPoolMetrics.class).bindTo(registry);
            assertThat(registry.get("pmem.pool.size").tag("pool", "mainPool").gauge())
                    .isNotNull();
        });
    }

    @Test
    void withTwoPoolsAndNoPrimaryThePoolBeansBackOff() {
        runner.withUserConfiguration(TwoPools.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeansOfType(PmemPool.class)).hasSize(2);
            assertThat(context)
                    .doesNotHaveBean(PmemCacheManager.class)
                    .doesNotHaveBean(PmemTransactionManager.class)
                    .doesNotHaveBean(PmemHealthIndicator.class)
                    .doesNotHaveBean(PmemPoolMetrics.class);
        });
    }

    private static PmemPool pool(String name) {
        return PmemPool.openOrCreate(
                dir.resolve(name + "-" + System.nanoTime() + ".pool"),
                PoolOptions.layout("spring").withSize(8L << 20).withDurability(Durability.PROCESS));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    @Configuration(proxyBeanMethods = false)
    static class OnePool {
        @Bean(destroyMethod = "close")
        PmemPool myPool() {
            return pool("mine");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoPools {
        @Bean(destroyMethod = "close")
        PmemPool mainPool() {
            return pool("main");
        }

        @Bean(destroyMethod = "close")
        PmemPool otherPool() {
            return pool("other");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoPoolsOnePrimary {
        @Bean(destroyMethod = "close")
        @Primary
        PmemPool mainPool() {
            return pool("main");
        }

        @Bean(destroyMethod = "close")
        PmemPool otherPool() {
            return pool("other");
        }
    }
}
