package dev.pmemspring.boot.autoconfigure;

import dev.pmemspring.boot.PmemPoolOptionsCustomizer;
import dev.pmemspring.core.PmemPool;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Opens the pmem pool named by {@code pmem.pool.*} at start-up (creating the file and its folder
 * when allowed) and closes it when the context shuts down. Backs off when the application defines
 * its own {@link PmemPool} bean; the other pmem auto-configurations then use that one.
 */
@AutoConfiguration
@ConditionalOnClass(PmemPool.class)
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PmemProperties.class)
public final class PmemPoolAutoConfiguration {

    // Both beans back off together when the application defines a pool: the startup record is how
    // this configuration opened its own pool, read by the health indicator and the meters.
    @Bean
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
