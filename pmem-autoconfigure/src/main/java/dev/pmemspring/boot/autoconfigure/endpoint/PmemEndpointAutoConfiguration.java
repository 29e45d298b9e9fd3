package dev.pmemspring.boot.autoconfigure.endpoint;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.cache.PmemCacheAutoConfiguration;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.core.PmemPool;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code pmem} actuator endpoint ({@link PmemEndpoint}), when the actuator is present and the
 * endpoint is available (access allowed and exposed: {@code management.endpoints.web.exposure.include=pmem}).
 */
@AutoConfiguration(after = {PmemPoolAutoConfiguration.class, PmemCacheAutoConfiguration.class})
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(PmemPool.class)
@ConditionalOnAvailableEndpoint(PmemEndpoint.class)
public final class PmemEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PmemEndpoint pmemEndpoint(PmemPool pool, ObjectProvider<PmemCacheManager> cacheManagers) {
        return new PmemEndpoint(pool, () -> cacheManagers.orderedStream().toList());
    }
}
