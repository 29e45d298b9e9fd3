package dev.pmemspring.boot.autoconfigure.metrics;

import dev.pmemspring.boot.metrics.PmemPoolMetrics;
import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.core.PmemPool;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.springframework.beans.factory.ListableBeanFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
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
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(PmemPool.class)
@ConditionalOnBean(MeterRegistry.class)
public final class PmemPoolMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PmemPoolMetrics pmemPoolMetrics(PmemPool pool, ListableBeanFactory beans) {
        // the single candidate may be the primary of several: tag it with its own bean name
        String name = beans.getBeansOfType(PmemPool.class).entrySet().stream()
                .filter(e -> e.getValue() == pool)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("pmemPool");
        return new PmemPoolMetrics(pool, name, Tags.empty());
    }
}
