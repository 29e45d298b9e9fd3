package dev.pmemspring.boot.autoconfigure.metrics;

import dev.pmemspring.boot.metrics.PmemPoolMetrics;
import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.core.PmemPool;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Binds the pool's meters ({@link PmemPoolMetrics}) when Micrometer and a {@link MeterRegistry} are present.
 */
@AutoConfiguration(
        after = PmemPoolAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({PmemPool.class, MeterRegistry.class})
public final class PmemPoolMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PmemPoolMetrics pmemPoolMetrics(PmemPool pool) {
        return new PmemPoolMetrics(pool);
    }
}
