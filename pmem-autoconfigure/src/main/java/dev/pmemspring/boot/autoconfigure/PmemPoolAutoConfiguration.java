package dev.pmemspring.boot.autoconfigure;

import dev.pmemspring.boot.PmemPoolOptionsCustomizer;
import dev.pmemspring.core.PmemPool;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Opens the pmem pool named by {@code pmem.pool.*} at start-up (creating the file and its folder
 * when allowed) and closes it when the context shuts down. Backs off when the application defines
 * its own {@link PmemPool} bean; the other pmem auto-configurations then use that one.
 */
@AutoConfiguration
@ConditionalOnClass(PmemPool.class)
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@Conditional(PmemPoolAutoConfiguration.TemporaryPoolWanted.class)
@EnableConfigurationProperties(PmemProperties.class)
public final class PmemPoolAutoConfiguration {

    /**
     * No temporary pool when {@code spring.cache.type=none} (what {@code @AutoConfigureCache} sets):
     * a test that switched caching off does not pay for a pool that could hold nothing beyond it.
     * A pool at a path is opened whatever the cache type: it may hold the application's own data.
     */
    static final class TemporaryPoolWanted extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment env = context.getEnvironment();
            if (env.getProperty("pmem.pool.temporary", Boolean.class, false)
                    && "none".equalsIgnoreCase(env.getProperty("spring.cache.type"))) {
                return ConditionOutcome.noMatch("pmem.pool.temporary is set and spring.cache.type is 'none'");
            }
            return ConditionOutcome.match("a pool at pmem.pool.path, or a temporary one while caching is on");
        }
    }

    // Both beans back off together when the application defines a pool: the startup record is how
    // this configuration opened its own pool, read by the health indicator and the meters.
    @Bean(destroyMethod = "deleteTemporaryFolder")
    @ConditionalOnMissingBean(PmemPool.class)
    PmemPoolStartup pmemPoolStartup(PmemProperties properties, ObjectProvider<PmemPoolOptionsCustomizer> customizers) {
        return PoolOpener.open(properties.getPool(), customizers.orderedStream().toList());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    PmemPool pmemPool(PmemPoolStartup startup) {
        return startup.pool();
    }
}
