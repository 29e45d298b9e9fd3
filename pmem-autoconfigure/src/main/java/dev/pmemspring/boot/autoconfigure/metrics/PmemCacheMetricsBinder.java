package dev.pmemspring.boot.autoconfigure.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheManager;

import io.micrometer.core.instrument.Tag;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.context.SmartLifecycle;

/**
 * Binds caches that a {@link PmemCacheManager} creates on demand after start-up, which Spring Boot's
 * cache metrics (bound once, at start-up) would miss. The manager announces no new caches, so this
 * looks for them: at start, then every {@code interval} on one daemon thread, and whenever
 * {@link #bindNewCaches()} is called. Each cache is bound once, with the tags Boot's own binding
 * uses ({@code cache}, {@code name}, {@code cache.manager}).
 */
public class PmemCacheMetricsBinder implements SmartLifecycle {

    private static final Log LOG = LogFactory.getLog(PmemCacheMetricsBinder.class);

    private static final String CACHE_MANAGER_SUFFIX = "cacheManager";

    private final Map<String, PmemCacheManager> managers;

    private final Supplier<CacheMetricsRegistrar> registrar;

    private final Duration interval;

    private final Set<PmemCache> bound = ConcurrentHashMap.newKeySet();

    private volatile ScheduledExecutorService scheduler;

    /**
     * @param managers the managers by bean name
     * @param registrar Spring Boot's cache metrics registrar, or null while there is none (no meter registry)
     * @param interval how often to look for new caches
     */
    public PmemCacheMetricsBinder(Map<String, PmemCacheManager> managers, Supplier<CacheMetricsRegistrar> registrar,
            Duration interval) {
        this.managers = Map.copyOf(managers);
        this.registrar = registrar;
        this.interval = interval;
    }

    /** Binds the caches not bound yet; returns how many it bound. */
    public synchronized int bindNewCaches() {
        CacheMetricsRegistrar target = registrar.get();
        if (target == null) {
            return 0;
        }
        int count = 0;
        for (Map.Entry<String, PmemCacheManager> e : managers.entrySet()) {
            Tag managerTag = Tag.of("cache.manager", managerName(e.getKey()));
            for (PmemCache cache : e.getValue().caches()) {
                if (bound.add(cache)) {
                    target.bindCacheToRegistry(cache, managerTag);
                    count++;
                }
            }
        }
        return count;
    }

    @Override
    public void start() {
        if (registrar.get() == null) {
            return; // no meter registry: nothing to bind to
        }
        bindNewCaches();
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pmem-cache-metrics");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, interval.toMillis());
        s.scheduleWithFixedDelay(() -> {
            try {
                bindNewCaches();
            } catch (RuntimeException ex) {
                LOG.debug("could not bind new pmem caches to the meter registry", ex);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        scheduler = s;
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) {
            s.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    private static String managerName(String beanName) {
        if (beanName.length() > CACHE_MANAGER_SUFFIX.length()
                && beanName.toLowerCase(java.util.Locale.ROOT).endsWith(CACHE_MANAGER_SUFFIX.toLowerCase(java.util.Locale.ROOT))) {
            return beanName.substring(0, beanName.length() - CACHE_MANAGER_SUFFIX.length());
        }
        return beanName;
    }
}
