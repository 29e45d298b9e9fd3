package dev.pmemspring.boot.autoconfigure.cache.coherence;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.PmemProperties;
import dev.pmemspring.boot.autoconfigure.cache.PmemCacheAutoConfiguration;
import dev.pmemspring.cache.metrics.PmemCoherenceMetrics;
import dev.pmemspring.cache.CacheCoherence;
import dev.pmemspring.cache.redis.RedisCacheCoherence;
import dev.pmemspring.core.PmemPool;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * A {@link RedisCacheCoherence} (bean {@code pmemCacheCoherence}) when
 * {@code pmem.cache.coherence.mode=redis}, caching is enabled, and Boot's Redis auto-configuration
 * (or the application) defined a {@link RedisConnectionFactory}: the pmem cache manager then
 * publishes its writes on the stream and drops what other instances changed.
 *
 * <p>The bean takes the pool, so it is closed before the pool on shutdown (what is still unsent
 * stays in the pool for the next start).
 */
@AutoConfiguration(
        after = PmemPoolAutoConfiguration.class,
        before = PmemCacheAutoConfiguration.class,
        afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({RedisCacheCoherence.class, RedisConnectionFactory.class})
@ConditionalOnProperty(name = "pmem.cache.coherence.mode", havingValue = "redis")
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(PmemPool.class)
@ConditionalOnBean({RedisConnectionFactory.class, CacheAspectSupport.class})
@EnableConfigurationProperties(PmemProperties.class)
public final class PmemCacheCoherenceAutoConfiguration {

    /** The stream's key when none is set: one stream per pool layout, so services with their own layouts do not mix. */
    static final String STREAM_PREFIX = "pmem:coherence:";

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(CacheCoherence.class)
    RedisCacheCoherence pmemCacheCoherence(PmemPool pool, RedisConnectionFactory redis, PmemProperties properties) {
        PmemProperties.Coherence props = properties.getCache().getCoherence();
        String stream = props.getStream() != null && !props.getStream().isBlank()
                ? props.getStream()
                : STREAM_PREFIX + pool.info().layout();
        if (props.getMaxLength() < 1) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.cache.coherence.max-length",
                    props.getMaxLength(),
                    "the stream must keep at least one entry; size it for hours of writes");
        }
        if (props.getOutboxCapacity() < 1) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.cache.coherence.outbox-capacity",
                    props.getOutboxCapacity(),
                    "at least one change must be able to wait while Redis is away");
        }
        if (props.getCatchUpTimeout() == null || props.getCatchUpTimeout().isNegative()) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.cache.coherence.catch-up-timeout",
                    props.getCatchUpTimeout(),
                    "set a duration of zero (do not wait) or more");
        }
        return RedisCacheCoherence.builder(redis).stream(stream)
                .maxLength(props.getMaxLength())
                .outboxCapacity(props.getOutboxCapacity())
                .catchUpTimeout(props.getCatchUpTimeout())
                .build();
    }

    /** Its meters, when Micrometer is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static final class Meters {

        @Bean
        @ConditionalOnMissingBean
        PmemCoherenceMetrics pmemCoherenceMetrics(RedisCacheCoherence coherence) {
            return new PmemCoherenceMetrics(coherence, coherence::observeLag);
        }
    }
}
