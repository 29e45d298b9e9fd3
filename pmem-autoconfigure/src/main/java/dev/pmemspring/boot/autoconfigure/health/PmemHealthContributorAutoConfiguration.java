package dev.pmemspring.boot.autoconfigure.health;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import java.util.Optional;

import dev.pmemspring.boot.autoconfigure.PmemPoolStartup;
import dev.pmemspring.boot.autoconfigure.PmemProperties;
import dev.pmemspring.cache.CacheCoherence;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.core.PmemPool;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;

/**
 * The {@code pmem} health indicator ({@link PmemHealthIndicator}), switched by
 * {@code management.health.pmem.enabled}.
 */
@AutoConfiguration(
        after = PmemPoolAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(PmemPool.class)
@ConditionalOnEnabledHealthIndicator("pmem")
@EnableConfigurationProperties(PmemProperties.class)
public final class PmemHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "pmemHealthIndicator")
    PmemHealthIndicator pmemHealthIndicator(
            PmemPool pool,
            PmemProperties properties,
            ObjectProvider<PmemCacheManager> cacheManagers,
            ObjectProvider<PmemPoolStartup> startup) {
        double threshold = properties.getHealth().getFreeSpaceWarningThreshold();
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.health.free-space-warning-threshold",
                    threshold,
                    "the threshold is a ratio of the pool's heap, from 0 (no warning) to 1");
        }
        return new PmemHealthIndicator(
                pool,
                threshold,
                () -> cacheManagers
                        .orderedStream()
                        .filter(m -> m.pool() == pool && m.coherence() != CacheCoherence.NONE)
                        .map(m -> m.coherence().status())
                        .findFirst()
                        .orElse(null),
                () -> cacheManagers
                        .orderedStream()
                        .filter(m -> m.pool() == pool)
                        .map(PmemCacheManager::salvage)
                        .flatMap(Optional::stream)
                        .findFirst(),
                startup.getIfAvailable(() -> null) instanceof PmemPoolStartup s && s.pool() == pool ? s : null,
                lowFreeSpaceStatus(properties.getHealth().getLowFreeSpaceStatus()));
    }

    private static Status lowFreeSpaceStatus(String code) {
        if (code == null || code.isBlank()) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.health.low-free-space-status",
                    code,
                    "a health status code is needed: UP (warn only), DOWN or OUT_OF_SERVICE");
        }
        return new Status(code.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
