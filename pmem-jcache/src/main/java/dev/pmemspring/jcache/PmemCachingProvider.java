package dev.pmemspring.jcache;

import dev.pmemspring.jcache.internal.JCacheSettings;
import dev.pmemspring.jcache.internal.PmemJCacheManager;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

import org.jspecify.annotations.Nullable;

/**
 * The JCache provider on a pmem pool, found by {@code Caching.getCachingProvider()} through
 * {@code META-INF/services}. Each cache manager URI names a pool file:
 *
 * <ul>
 *   <li>{@code file:/var/lib/app/jcache.pool}: that file;</li>
 *   <li>the default URI, {@value #DEFAULT_URI}: the file {@code pmem.jcache.pool} names, else
 *       {@code default.pool} in the pool directory;</li>
 *   <li>any other URI: a file named after it in the pool directory ({@code pmem.jcache.directory},
 *       by default {@code pmem-jcache-<user>} in the temporary folder, which does not outlive a
 *       reboot everywhere: set it where caches must).</li>
 * </ul>
 *
 * Settings ({@code pmem.jcache.*}, see {@code docs/jcache.md}) come from the properties given to
 * {@link #getCacheManager(URI, ClassLoader, Properties)}, else system properties, else a
 * {@code pmem-jcache.properties} file on the class path. Without Spring:
 *
 * <pre>{@code
 * CacheManager manager = Caching.getCachingProvider().getCacheManager(
 *         URI.create("file:/var/lib/quotes/jcache.pool"), null);
 * Cache<String, Quote> quotes = manager.getCache("quotes");   // after a restart: with its entries
 * if (quotes == null) {
 *     quotes = manager.createCache("quotes", new MutableConfiguration<String, Quote>()
 *             .setTypes(String.class, Quote.class)
 *             .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ONE_HOUR)));
 * }
 * }</pre>
 */
public final class PmemCachingProvider implements CachingProvider {

    /** The URI of the default cache manager. */
    public static final String DEFAULT_URI = "pmem:default";

    private final Map<ClassLoader, Map<URI, PmemJCacheManager>> managers = new WeakHashMap<>();

    /** Called by {@code Caching} through the service loader. */
    public PmemCachingProvider() {}

    @Override
    public CacheManager getCacheManager(
            @Nullable URI uri, @Nullable ClassLoader classLoader, @Nullable Properties properties) {
        URI u = uri == null ? getDefaultURI() : uri;
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        Properties given = properties == null ? new Properties() : properties;
        synchronized (managers) {
            Map<URI, PmemJCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
            PmemJCacheManager manager = byUri.get(u);
            if (manager == null || manager.isClosed()) {
                JCacheSettings settings = JCacheSettings.resolve(u, getDefaultURI(), given, loader);
                manager = new PmemJCacheManager(this, u, loader, given, settings, () -> released(loader, u));
                byUri.put(u, manager);
            }
            return manager;
        }
    }

    private void released(ClassLoader loader, URI uri) {
        synchronized (managers) {
            Map<URI, PmemJCacheManager> byUri = managers.get(loader);
            if (byUri != null) {
                byUri.remove(uri);
                if (byUri.isEmpty()) {
                    managers.remove(loader);
                }
            }
        }
    }

    @Override
    public ClassLoader getDefaultClassLoader() {
        return PmemCachingProvider.class.getClassLoader();
    }

    @Override
    public URI getDefaultURI() {
        return URI.create(DEFAULT_URI);
    }

    @Override
    public Properties getDefaultProperties() {
        return new Properties();
    }

    @Override
    public CacheManager getCacheManager(@Nullable URI uri, @Nullable ClassLoader classLoader) {
        return getCacheManager(uri, classLoader, getDefaultProperties());
    }

    @Override
    public CacheManager getCacheManager() {
        return getCacheManager(getDefaultURI(), getDefaultClassLoader());
    }

    @Override
    public void close() {
        for (PmemJCacheManager manager : snapshot(null, null)) {
            manager.close();
        }
    }

    @Override
    public void close(@Nullable ClassLoader classLoader) {
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        for (PmemJCacheManager manager : snapshot(loader, null)) {
            manager.close();
        }
    }

    @Override
    public void close(@Nullable URI uri, @Nullable ClassLoader classLoader) {
        URI u = uri == null ? getDefaultURI() : uri;
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        for (PmemJCacheManager manager : snapshot(loader, u)) {
            manager.close();
        }
    }

    private java.util.List<PmemJCacheManager> snapshot(@Nullable ClassLoader loader, @Nullable URI uri) {
        synchronized (managers) {
            java.util.List<PmemJCacheManager> found = new java.util.ArrayList<>();
            managers.forEach((l, byUri) -> {
                if (loader == null || l == loader) {
                    byUri.forEach((u, m) -> {
                        if (uri == null || u.equals(uri)) {
                            found.add(m);
                        }
                    });
                }
            });
            return found;
        }
    }

    @Override
    public boolean isSupported(OptionalFeature optionalFeature) {
        // store-by-reference: the objects put are kept on the heap beside the pool's copies
        return optionalFeature == OptionalFeature.STORE_BY_REFERENCE;
    }
}
