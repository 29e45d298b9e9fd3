package dev.pmemspring.boot.autoconfigure.cache;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.PmemProperties;
import dev.pmemspring.boot.cache.PmemCacheManagerBuilderCustomizer;
import dev.pmemspring.cache.CacheCoherence;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.core.PmemPool;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * The {@link PmemCacheManager} (bean {@code cacheManager}), built from {@code pmem.cache.*} and
 * {@link PmemCacheManagerBuilderCustomizer} beans, when caching is enabled ({@code @EnableCaching}), no
 * other {@link CacheManager} is defined and {@code spring.cache.type} is not set. It comes before
 * Spring Boot's {@code CacheAutoConfiguration}, which then backs off.
 *
 * <p>With {@code pmem.cache.coherence.mode=redis} the manager is built with the
 * {@link CacheCoherence} bean ({@code PmemCacheCoherenceAutoConfiguration}), and start-up fails
 * with what to add when there is none.
 *
 * <p>Values of the application's own classes may be read back: the application's
 * auto-configuration packages (those of {@code @SpringBootApplication}) are allowed by default, as
 * are those listed in {@code pmem.cache.allowed-classes}.
 */
@AutoConfiguration(
        after = PmemPoolAutoConfiguration.class,
        beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass({CacheManager.class, PmemCacheManager.class})
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(PmemPool.class)
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnMissingBean(value = CacheManager.class, name = "cacheResolver")
@Conditional(NoSpringCacheTypeCondition.class)
@EnableConfigurationProperties(PmemProperties.class)
public final class PmemCacheAutoConfiguration {

    private static final String JSON_MAPPER = "tools.jackson.databind.json.JsonMapper";

    @Bean
    PmemCacheManager cacheManager(
            PmemPool pool,
            PmemProperties properties,
            BeanFactory beanFactory,
            ObjectProvider<PmemCacheManagerBuilderCustomizer> customizers,
            ObjectProvider<CacheCoherence> coherence,
            Environment environment) {
        PmemProperties.Cache props = properties.getCache();
        ClassLoader loader = beanFactory instanceof ConfigurableBeanFactory c ? c.getBeanClassLoader() : null;
        CacheSettingsFactory settings = new CacheSettingsFactory(
                props, applicationPatterns(props, beanFactory), () -> jsonMapper(beanFactory, loader), loader);
        PmemCacheSettings defaults = settings.defaults();
        List<String> cacheNames = cacheNames(props, environment);
        PmemCacheManager.Builder builder = PmemCacheManager.builder(pool)
                .defaults(defaults)
                .afterUnsafeShutdown(props.getAfterUnsafeShutdown())
                .dynamic(props.getDynamic() != null ? props.getDynamic() : cacheNames.isEmpty());
        builder.cacheNames(cacheNames);
        for (Map.Entry<String, PmemProperties.CacheSettings> e :
                props.getCaches().entrySet()) {
            builder.cache(e.getKey(), settings.forCache(e.getKey(), e.getValue(), defaults));
        }
        if (loader != null) {
            builder.classLoader(loader);
        }
        CacheCoherence peers = coherence.getIfUnique();
        if (peers != null) {
            builder.coherence(peers);
        } else if (props.getCoherence().getMode() == PmemProperties.CoherenceMode.REDIS) {
            throw new IllegalStateException("pmem.cache.coherence.mode=redis, but there is no Redis coherence: add"
                    + " dev.pmemspring:pmem-cache-redis and org.springframework.boot:spring-boot-starter-data-redis"
                    + " to the application, and point spring.data.redis.* at the Redis the instances share"
                    + " (or set pmem.cache.coherence.mode=none)");
        }
        customizers.orderedStream().forEach(c -> c.customize(builder));
        PmemCacheManager manager = builder.build();
        if (ClassUtils.isPresent(CACHE_MANAGER_CUSTOMIZERS, loader)) {
            BootCustomizers.apply(beanFactory, manager);
        }
        return manager;
    }

    private static final String CACHE_MANAGER_CUSTOMIZERS =
            "org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers";

    /**
     * {@code pmem.cache.cache-names} and Boot's {@code spring.cache.cache-names} together, so an
     * application moving from another cache provider keeps its list where it was.
     */
    static List<String> cacheNames(PmemProperties.Cache props, Environment environment) {
        Set<String> names = new LinkedHashSet<>(props.getCacheNames());
        names.addAll(Binder.get(environment)
                .bind("spring.cache.cache-names", Bindable.listOf(String.class))
                .orElse(List.of()));
        return List.copyOf(names);
    }

    /**
     * Boot's {@code CacheManagerCustomizer<PmemCacheManager>} beans, applied to the built manager as
     * Boot applies them to its own (those for other cache managers are skipped by their type).
     * spring-boot-cache is optional: only this class refers to it.
     */
    private static final class BootCustomizers {

        @SuppressWarnings({"unchecked", "rawtypes"})
        static void apply(BeanFactory beanFactory, PmemCacheManager manager) {
            List<CacheManagerCustomizer<?>> all = (List) beanFactory
                    .getBeanProvider(CacheManagerCustomizer.class)
                    .orderedStream()
                    .toList();
            new CacheManagerCustomizers(all).customize(manager);
        }
    }

    private static List<String> applicationPatterns(PmemProperties.Cache props, BeanFactory beanFactory) {
        List<String> patterns = new ArrayList<>();
        if (props.isAllowApplicationPackages() && AutoConfigurationPackages.has(beanFactory)) {
            for (String pkg : AutoConfigurationPackages.get(beanFactory)) {
                patterns.add(pkg.isEmpty() ? "*" : pkg + ".**");
            }
        }
        return patterns;
    }

    private static Object jsonMapper(BeanFactory beanFactory, ClassLoader loader) {
        if (!ClassUtils.isPresent(JSON_MAPPER, loader)) {
            return null;
        }
        try {
            return beanFactory
                    .getBeanProvider(ClassUtils.forName(JSON_MAPPER, loader))
                    .getIfUnique();
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
