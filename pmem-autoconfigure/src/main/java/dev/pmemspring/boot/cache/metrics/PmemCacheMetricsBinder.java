package dev.pmemspring.boot.cache.metrics;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheManager;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;

import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.context.SmartLifecycle;

/**
 * Binds caches that a {@link PmemCacheManager} creates on demand after start-up, which Spring Boot's
 * cache metrics (bound once, at start-up) would miss: on start it listens to each manager for new
 * caches and binds those already open. Each cache is bound once, with the tags Boot's own binding
 * uses ({@code cache}, {@code name}, {@code cache.manager}).
 */
public class PmemCacheMetricsBinder implements SmartLifecycle {

    private static final String CACHE_MANAGER_SUFFIX = "cacheManager";

    private final Map<String, PmemCacheManager> managers;

    private final Supplier<CacheMetricsRegistrar> registrar;

    private final Supplier<MeterRegistry> registry;

    private final Set<PmemCache> bound = ConcurrentHashMap.newKeySet();

    private final Map<PmemCacheManager, Consumer<PmemCache>> listeners = new ConcurrentHashMap<>();

    private volatile boolean running;

    /**
     * @param managers the managers by bean name
     * @param registrar Spring Boot's cache metrics registrar, or null while there is none (no meter registry)
     * @param registry the meter registry, or null while there is none
     */
    public PmemCacheMetricsBinder(
            Map<String, PmemCacheManager> managers,
            Supplier<CacheMetricsRegistrar> registrar,
            Supplier<MeterRegistry> registry) {
        this.managers = Map.copyOf(managers);
        this.registrar = registrar;
        this.registry = registry;
    }

    /** Binds the open caches not bound yet; returns how many it bound. */
    public int bindNewCaches() {
        CacheMetricsRegistrar target = registrar.get();
        if (target == null) {
            return 0;
        }
        int count = 0;
        for (Map.Entry<String, PmemCacheManager> e : managers.entrySet()) {
            for (PmemCache cache : e.getValue().caches()) {
                if (bind(target, e.getKey(), cache)) {
                    count++;
                }
            }
        }
        return count;
    }

    private boolean bind(CacheMetricsRegistrar target, String managerBean, PmemCache cache) {
        if (!bound.add(cache)) {
            return false;
        }
        String manager = managerName(managerBean);
        MeterRegistry meters = registry.get();
        if (meters != null
                && meters.find("cache.size")
                                .tag("cache", cache.getName())
                                .tag("cache.manager", manager)
                                .meter()
                        != null) {
            return false; // Boot bound it at start-up, with the caches it found then
        }
        target.bindCacheToRegistry(cache, Tag.of("cache.manager", manager));
        return true;
    }

    @Override
    public void start() {
        CacheMetricsRegistrar target = registrar.get();
        if (target == null) {
            return; // no meter registry: nothing to bind to
        }
        // listen first, then bind what is open: a cache created in between is bound once either way
        managers.forEach((beanName, manager) -> {
            Consumer<PmemCache> listener = cache -> bind(target, beanName, cache);
            listeners.put(manager, listener);
            manager.addCacheListener(listener);
        });
        bindNewCaches();
        running = true;
    }

    @Override
    public void stop() {
        listeners.forEach(PmemCacheManager::removeCacheListener);
        listeners.clear();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static String managerName(String beanName) {
        if (beanName.length() > CACHE_MANAGER_SUFFIX.length()
                && beanName.toLowerCase(java.util.Locale.ROOT)
                        .endsWith(CACHE_MANAGER_SUFFIX.toLowerCase(java.util.Locale.ROOT))) {
            return beanName.substring(0, beanName.length() - CACHE_MANAGER_SUFFIX.length());
        }
        return beanName;
    }
}
