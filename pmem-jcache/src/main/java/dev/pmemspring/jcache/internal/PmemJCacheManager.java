package dev.pmemspring.jcache.internal;

import dev.pmemspring.cache.internal.CacheCatalogue;
import dev.pmemspring.core.PmemPool;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

import org.jspecify.annotations.Nullable;

/**
 * A JCache cache manager on one pool. The caches it creates are recorded in the pool with their
 * configuration ({@link JCacheCatalogue}): after a restart, {@link #getCache(String)} gives a cache
 * back with its entries. {@link #createCache} always makes a new, empty cache, as the specification
 * says; a closed cache keeps its entries in the pool, a destroyed one does not.
 */
public final class PmemJCacheManager implements CacheManager {

    private final CachingProvider provider;
    private final URI uri;
    private final ClassLoader classLoader;
    private final Properties properties;
    private final JCacheSettings settings;
    private final Runnable onClose;
    private static final System.Logger LOG = System.getLogger(PmemJCacheManager.class.getName());

    private final PmemPool pool;
    private final JCacheCatalogue catalogue;
    private final Map<String, PmemJCache<?, ?>> caches = new ConcurrentHashMap<>();
    /** Caches closed while this manager is open: not given back by getCache until created again. */
    private final Set<String> closedHere = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();

    public PmemJCacheManager(
            CachingProvider provider,
            URI uri,
            ClassLoader classLoader,
            Properties properties,
            JCacheSettings settings,
            Runnable onClose) {
        this.provider = provider;
        this.uri = uri;
        this.classLoader = classLoader;
        this.properties = new Properties();
        this.properties.putAll(properties);
        this.settings = settings;
        this.onClose = onClose;
        try {
            this.pool = SharedPools.acquire(settings.poolPath(), settings.poolOptions());
        } catch (RuntimeException e) {
            throw new CacheException(
                    "cannot open the pool of cache manager " + uri + " at " + settings.poolPath() + ": "
                            + e.getMessage(),
                    e);
        }
        this.catalogue = new JCacheCatalogue(pool);
        CacheCatalogue.emptyAfterStop(pool, message -> LOG.log(System.Logger.Level.WARNING, message));
    }

    @Override
    public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
        requireRunning();
        Objects.requireNonNull(cacheName, "cacheName");
        Objects.requireNonNull(configuration, "configuration");
        synchronized (caches) {
            if (caches.containsKey(cacheName)) {
                throw new CacheException(
                        "cache '" + cacheName + "' exists already in " + uri + ": use getCache, or destroyCache first");
            }
            MutableConfiguration<K, V> copy = copy(configuration);
            StoredCache store = new StoredCache(pool, cacheName, settings.serializer(), !copy.isStoreByValue());
            // made first: a loader, writer, listener or policy that fails leaves the pool as it was
            PmemJCache<K, V> cache = new PmemJCache<>(this, cacheName, copy, store);
            store.clear(); // a new cache: entries left by an earlier one of this name are not its
            catalogue.record(cacheName, StoredConfiguration.of(copy));
            caches.put(cacheName, cache);
            closedHere.remove(cacheName);
            return cache;
        }
    }

    private static <K, V> MutableConfiguration<K, V> copy(Configuration<K, V> configuration) {
        if (configuration instanceof CompleteConfiguration<K, V> complete) {
            return new MutableConfiguration<>(complete);
        }
        MutableConfiguration<K, V> copy = new MutableConfiguration<>();
        copy.setTypes(configuration.getKeyType(), configuration.getValueType());
        copy.setStoreByValue(configuration.isStoreByValue());
        return copy;
    }

    @Override
    public <K, V> @Nullable Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(valueType, "valueType");
        PmemJCache<?, ?> cache = open(cacheName);
        if (cache == null) {
            return null;
        }
        MutableConfiguration<?, ?> c = cache.configuration();
        if (!c.getKeyType().equals(keyType)) {
            throw new ClassCastException(
                    "cache '" + cacheName + "' has keys of " + c.getKeyType().getName() + ", not " + keyType.getName());
        }
        if (!c.getValueType().equals(valueType)) {
            throw new ClassCastException("cache '" + cacheName + "' has values of "
                    + c.getValueType().getName() + ", not " + valueType.getName());
        }
        return cast(cache);
    }

    @Override
    public <K, V> @Nullable Cache<K, V> getCache(String cacheName) {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        return cast(open(cacheName));
    }

    /** The open cache of that name, or the one the pool keeps, reopened; null if neither. */
    private @Nullable PmemJCache<?, ?> open(String cacheName) {
        PmemJCache<?, ?> cache = caches.get(cacheName);
        if (cache != null || closedHere.contains(cacheName)) {
            return cache;
        }
        synchronized (caches) {
            cache = caches.get(cacheName);
            if (cache != null) {
                return cache;
            }
            StoredConfiguration stored = catalogue.find(cacheName);
            if (stored == null) {
                return null;
            }
            MutableConfiguration<Object, Object> configuration = stored.toConfiguration(classLoader);
            PmemJCache<Object, Object> reopened = new PmemJCache<>(
                    this,
                    cacheName,
                    configuration,
                    new StoredCache(pool, cacheName, settings.serializer(), !configuration.isStoreByValue()));
            caches.put(cacheName, reopened);
            return reopened;
        }
    }

    @Override
    public Iterable<String> getCacheNames() {
        requireOpen();
        return Collections.unmodifiableSet(new LinkedHashSet<>(caches.keySet()));
    }

    @Override
    public void destroyCache(String cacheName) {
        requireRunning();
        Objects.requireNonNull(cacheName, "cacheName");
        synchronized (caches) {
            PmemJCache<?, ?> cache = caches.get(cacheName);
            if (cache != null) {
                cache.close();
            }
            // whether or not a handle was open (or closed earlier in this manager): the entries go
            pool.map(StoredCache.mapName(cacheName)).clear();
            catalogue.remove(cacheName);
            closedHere.remove(cacheName);
        }
    }

    @Override
    public void enableManagement(String cacheName, boolean enabled) {
        requireRunning();
        Objects.requireNonNull(cacheName, "cacheName");
        PmemJCache<?, ?> cache = open(cacheName);
        if (cache != null) {
            cache.setManagementEnabled(enabled);
            catalogue.record(cacheName, StoredConfiguration.of(cache.configuration()));
        }
    }

    @Override
    public void enableStatistics(String cacheName, boolean enabled) {
        requireRunning();
        Objects.requireNonNull(cacheName, "cacheName");
        PmemJCache<?, ?> cache = open(cacheName);
        if (cache != null) {
            cache.setStatisticsEnabled(enabled);
            catalogue.record(cacheName, StoredConfiguration.of(cache.configuration()));
        }
    }

    /** A cache closed itself: forget it here (its entries stay in the pool). */
    void closed(PmemJCache<?, ?> cache) {
        synchronized (caches) {
            if (caches.remove(cache.getName(), cache) && !closed) {
                closedHere.add(cache.getName());
            }
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return; // closed, or closing on another thread: the pool is released once
        }
        onClose.run(); // the provider hands out a new manager from now on
        closed = true;
        synchronized (caches) {
            for (PmemJCache<?, ?> cache : caches.values()) {
                cache.release();
            }
            caches.clear();
        }
        SharedPools.release(settings.poolPath());
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public CachingProvider getCachingProvider() {
        return provider;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public ClassLoader getClassLoader() {
        return classLoader;
    }

    @Override
    public Properties getProperties() {
        return properties;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        if (clazz == PmemPool.class) {
            return clazz.cast(pool);
        }
        throw new IllegalArgumentException("a pmem JCache manager unwraps to "
                + getClass().getName() + " or " + PmemPool.class.getName() + ", not to " + clazz.getName());
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache manager " + uri + " is closed");
        }
    }

    /** As {@link #requireOpen}, for what changes the pool: refused, as a JCache failure, once the pool stopped. */
    private void requireRunning() {
        requireOpen();
        if (pool.isStopped()) {
            throw StoredCache.stopped(pool, "cache manager " + uri);
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> @Nullable Cache<K, V> cast(@Nullable Cache<?, ?> cache) {
        return (Cache<K, V>) cache;
    }
}
