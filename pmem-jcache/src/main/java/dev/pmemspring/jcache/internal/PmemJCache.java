package dev.pmemspring.jcache.internal;

import dev.pmemspring.core.PmemMap;
import dev.pmemspring.jcache.internal.StoredCache.Stored;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.EventType;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

import org.jspecify.annotations.Nullable;

/**
 * A JCache cache on the pool. Every operation on a key runs under that key's lock
 * ({@link StoredCache#lock}), reads the entry from the pool, calls the writer before it changes
 * the pool, and dispatches its events before it releases the lock. Stored by value (the default),
 * values are copies both ways: what the pool holds is serialized, what a read returns is
 * deserialized anew; stored by reference, see {@link StoredCache}.
 */
public final class PmemJCache<K, V> implements Cache<K, V> {

    private final PmemJCacheManager manager;
    private final String name;
    private final MutableConfiguration<K, V> configuration;
    private final StoredCache store;
    private final ClassLoader classLoader;
    private final ExpiryDeadlines expiry;
    /** Whether the policy is the standard eternal one: no entry ever gets a deadline. */
    private final boolean eternal;

    private final @Nullable CacheLoader<K, V> loader;
    private final @Nullable CacheWriter<K, V> writer;
    private final EntryListeners<K, V> listeners = new EntryListeners<>();
    private final JCacheStatistics statistics = new JCacheStatistics();
    private final JCacheConfigurationBean configurationBean;
    private final Object loadAllLock = new Object();
    private @Nullable ExecutorService loadAllExecutor;
    private volatile boolean closed;

    PmemJCache(PmemJCacheManager manager, String name, MutableConfiguration<K, V> configuration, StoredCache store) {
        this.manager = manager;
        this.name = name;
        this.configuration = configuration;
        this.store = store;
        this.classLoader = manager.getClassLoader();
        Factory<? extends ExpiryPolicy> expiryFactory = configuration.getExpiryPolicyFactory();
        ExpiryPolicy policy = expiryFactory == null ? null : expiryFactory.create();
        this.expiry = new ExpiryDeadlines(policy == null ? new EternalExpiryPolicy() : policy);
        this.eternal = policy == null || policy.getClass() == EternalExpiryPolicy.class;
        this.loader = configuration.getCacheLoaderFactory() == null
                ? null
                : configuration.getCacheLoaderFactory().create();
        this.writer = configuration.getCacheWriterFactory() == null
                ? null
                : cast(configuration.getCacheWriterFactory().create());
        for (CacheEntryListenerConfiguration<K, V> l : configuration.getCacheEntryListenerConfigurations()) {
            listeners.register(l);
        }
        this.configurationBean = new JCacheConfigurationBean(configuration);
        statistics.enable(configuration.isStatisticsEnabled());
        if (configuration.isManagementEnabled()) {
            setManagementEnabled(true);
        }
        if (configuration.isStatisticsEnabled()) {
            setStatisticsEnabled(true);
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public @Nullable V get(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        long start = System.nanoTime();
        try {
            EntryListeners<K, V>.Batch events = listeners.batch();
            V value = getOne(key, events);
            return value;
        } finally {
            statistics.getTime(start);
        }
    }

    /** A get of one key: its lock held, its events dispatched before it is released. */
    private @Nullable V getOne(K key, EntryListeners<K, V>.Batch events) {
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            long now = now();
            Stored s = live(key, k, now, events);
            V value;
            if (s != null) {
                statistics.hit();
                store.moveDeadline(k, s, expiry.forAccess(now, s.deadline()));
                value = cast(s.value());
            } else {
                statistics.miss();
                value = configuration.isReadThrough() ? loadAndStore(key, k, now, events) : null;
            }
            events.dispatch();
            return value;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keys) {
        requireOpen();
        requireNoNulls(keys, "keys");
        Map<K, V> found = new LinkedHashMap<>();
        for (K key : keys) {
            long start = System.nanoTime();
            V value = getOne(key, listeners.batch());
            statistics.getTime(start);
            if (value != null) {
                found.put(key, value);
            }
        }
        return found;
    }

    @Override
    public boolean containsKey(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        return peek(store.key(key), now()) != null;
    }

    // ---------------------------------------------------------------- loading

    @Override
    public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, @Nullable CompletionListener completion) {
        requireOpen();
        Objects.requireNonNull(keys, "keys");
        if (loader == null) {
            if (completion != null) {
                completion.onCompletion();
            }
            return;
        }
        requireNoNulls(keys, "keys");
        List<K> requested = new ArrayList<>(keys);
        executor().execute(() -> {
            try {
                loadEntries(requested, replaceExistingValues);
                if (completion != null) {
                    completion.onCompletion();
                }
            } catch (Exception e) {
                if (completion != null) {
                    completion.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
                }
            }
        });
    }

    private void loadEntries(List<K> requested, boolean replace) {
        List<K> toLoad = new ArrayList<>();
        long now = now();
        for (K key : requested) {
            if (replace || peek(store.key(key), now) == null) {
                toLoad.add(key);
            }
        }
        if (toLoad.isEmpty()) {
            return;
        }
        Map<K, V> loaded;
        try {
            loaded = Objects.requireNonNull(loader).loadAll(toLoad);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException(e);
        }
        if (loaded == null) {
            return;
        }
        for (Map.Entry<K, V> e : loaded.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                continue;
            }
            K key = e.getKey();
            byte[] k = store.key(key);
            ReentrantLock lock = store.lock(k);
            lock.lock();
            try {
                EntryListeners<K, V>.Batch events = listeners.batch();
                long at = now();
                Stored s = live(key, k, at, events);
                if (s == null) {
                    create(key, k, e.getValue(), at, events, false);
                } else if (replace) {
                    update(key, k, s, e.getValue(), at, events, false);
                }
                events.dispatch();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Loads {@code key} through the loader and stores a non-null result (no writer, not a put). */
    private @Nullable V loadAndStore(K key, byte[] k, long now, EntryListeners<K, V>.Batch events) {
        V loaded = load(key);
        if (loaded != null) {
            create(key, k, loaded, now, events, false);
        }
        return loaded;
    }

    private @Nullable V load(K key) {
        if (loader == null) {
            return null;
        }
        try {
            return loader.load(key);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException(e);
        }
    }

    private ExecutorService executor() {
        synchronized (loadAllLock) {
            requireOpen(); // a cache closed meanwhile gets no new thread
            if (loadAllExecutor == null) {
                loadAllExecutor = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "pmem-jcache-load-" + name);
                    t.setDaemon(true);
                    return t;
                });
            }
            return loadAllExecutor;
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void put(K key, V value) {
        requireOpen();
        requireKeyValue(key, value);
        long start = System.nanoTime();
        putOne(key, value, false);
        statistics.putTime(start);
    }

    @Override
    public @Nullable V getAndPut(K key, V value) {
        requireOpen();
        requireKeyValue(key, value);
        long start = System.nanoTime();
        V old = putOne(key, value, true);
        statistics.getTime(start);
        statistics.putTime(start);
        return old;
    }

    private @Nullable V putOne(K key, V value, boolean countGet) {
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            if (!countGet && listeners.isEmpty()) {
                putUnobserved(key, k, value);
                return null;
            }
            EntryListeners<K, V>.Batch events = listeners.batch();
            long now = now();
            Stored s = live(key, k, now, events);
            write(key, value);
            V old = null;
            if (s == null) {
                create(key, k, value, now, events, true);
            } else {
                old = cast(s.value());
                update(key, k, s, value, now, events, true);
            }
            if (countGet) {
                if (s == null) {
                    statistics.miss();
                } else {
                    statistics.hit();
                }
            }
            events.dispatch();
            return old;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A put nobody observes (no listener, no old value asked for): whether the key holds a live
     * entry and its deadline are read from the stored header, not deserialized. The caller holds
     * the key's lock.
     */
    private void putUnobserved(K key, byte[] k, V value) {
        if (eternal) {
            // Eternal: every entry is created and updated without a deadline (entries a reopened
            // cache holds from an earlier, unkept policy lose theirs), so there is nothing to read
            write(key, value);
            store.write(k, value, 0);
            statistics.put();
            return;
        }
        long now = now();
        long current = store.deadline(k);
        boolean live = current != StoredCache.ABSENT && !ExpiryDeadlines.expired(current, now);
        write(key, value);
        long deadline = live ? expiry.forUpdate(now, current) : expiry.forCreation(now);
        if (!live && ExpiryDeadlines.expired(deadline, now)) {
            if (current != StoredCache.ABSENT) {
                store.remove(k); // the expired entry goes; its replacement was created expired
            }
            return;
        }
        store.write(k, value, deadline);
        statistics.put();
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        requireOpen();
        Objects.requireNonNull(entries, "entries");
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            requireKeyValue(e.getKey(), e.getValue());
        }
        long start = System.nanoTime();
        Map<K, V> toStore = new LinkedHashMap<>(entries);
        CacheWriterException failure = null;
        if (writer != null && configuration.isWriteThrough() && !toStore.isEmpty()) {
            toStore.values().forEach(store::requireStorable);
            List<Cache.Entry<? extends K, ? extends V>> pending = new ArrayList<>();
            toStore.forEach((k, v) -> pending.add(new CacheEntry<>(k, v)));
            try {
                writer.writeAll(pending);
            } catch (Exception e) {
                failure = e instanceof CacheWriterException w ? w : new CacheWriterException(e);
                for (Cache.Entry<? extends K, ? extends V> notWritten : pending) {
                    toStore.remove(notWritten.getKey()); // only what reached the writer is cached
                }
            }
        }
        for (Map.Entry<K, V> e : toStore.entrySet()) {
            K key = e.getKey();
            byte[] k = store.key(key);
            ReentrantLock lock = store.lock(k);
            lock.lock();
            try {
                EntryListeners<K, V>.Batch events = listeners.batch();
                long now = now();
                Stored s = live(key, k, now, events);
                if (s == null) {
                    create(key, k, e.getValue(), now, events, true);
                } else {
                    update(key, k, s, e.getValue(), now, events, true);
                }
                events.dispatch();
            } finally {
                lock.unlock();
            }
        }
        statistics.putTime(start);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        requireOpen();
        requireKeyValue(key, value);
        long start = System.nanoTime();
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            EntryListeners<K, V>.Batch events = listeners.batch();
            long now = now();
            Stored s = live(key, k, now, events);
            if (s != null) {
                statistics.hit();
                events.dispatch();
                return false;
            }
            write(key, value);
            statistics.miss();
            boolean stored = create(key, k, value, now, events, true);
            events.dispatch();
            return stored;
        } finally {
            lock.unlock();
            statistics.putTime(start);
        }
    }

    /** Stores a new entry with the creation expiry; false if that expiry made it expired at once. */
    private boolean create(K key, byte[] k, V value, long now, EntryListeners<K, V>.Batch events, boolean countPut) {
        long deadline = expiry.forCreation(now);
        if (ExpiryDeadlines.expired(deadline, now)) {
            return false;
        }
        store.write(k, value, deadline);
        events.add(new EntryEvent<>(this, EventType.CREATED, key, value, null, false));
        if (countPut) {
            statistics.put();
        }
        return true;
    }

    private void update(
            K key, byte[] k, Stored old, V value, long now, EntryListeners<K, V>.Batch events, boolean countPut) {
        long deadline = expiry.forUpdate(now, old.deadline());
        store.write(k, value, deadline);
        events.add(new EntryEvent<>(this, EventType.UPDATED, key, value, cast(old.value()), true));
        if (countPut) {
            statistics.put();
        }
    }

    // ---------------------------------------------------------------- removals

    @Override
    public boolean remove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        long start = System.nanoTime();
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            delete(key);
            Stored s = peek(k, now());
            if (s == null) {
                return false;
            }
            removeEntry(key, k, s, start);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(K key, V oldValue) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        long start = System.nanoTime();
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            long now = now();
            Stored s = holding(k, oldValue, now);
            if (s == null) {
                return false;
            }
            delete(key);
            removeEntry(key, k, s, start);
            return true;
        } finally {
            lock.unlock();
            statistics.getTime(start);
        }
    }

    @Override
    public @Nullable V getAndRemove(K key) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        long start = System.nanoTime();
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            delete(key);
            Stored s = peek(k, now());
            if (s == null) {
                statistics.miss();
                return null;
            }
            statistics.hit();
            removeEntry(key, k, s, start);
            return cast(s.value());
        } finally {
            lock.unlock();
            statistics.getTime(start);
        }
    }

    /** Removes a live entry the caller read, with its event and counts; the caller holds the lock. */
    private void removeEntry(K key, byte[] k, Stored s, long start) {
        store.remove(k);
        EntryListeners<K, V>.Batch events = listeners.batch();
        V old = cast(s.value());
        events.add(new EntryEvent<>(this, EventType.REMOVED, key, old, old, true));
        statistics.removal();
        statistics.removeTime(start);
        events.dispatch();
    }

    @Override
    public void removeAll(Set<? extends K> keys) {
        requireOpen();
        requireNoNulls(keys, "keys");
        removeKeys(new ArrayList<>(keys), true);
    }

    @Override
    public void removeAll() {
        requireOpen();
        List<K> keys = new ArrayList<>();
        for (StoredCache.Raw raw : store.snapshot()) {
            Object key = store.decodeKey(raw.key(), classLoader);
            if (key == null) {
                if (raw.value() != null) {
                    store.remove(raw.key(), raw.value()); // a key that no longer decodes: nobody can ask for it
                }
            } else {
                keys.add(cast(key));
            }
        }
        if (!keys.isEmpty()) {
            removeKeys(keys, false);
        }
    }

    private void removeKeys(List<K> keys, boolean evenIfNone) {
        Set<K> toRemove = new LinkedHashSet<>(keys);
        CacheWriterException failure = null;
        if (writer != null && configuration.isWriteThrough() && (evenIfNone || !toRemove.isEmpty())) {
            List<K> pending = new ArrayList<>(toRemove);
            try {
                writer.deleteAll(pending);
            } catch (Exception e) {
                failure = e instanceof CacheWriterException w ? w : new CacheWriterException(e);
                pending.forEach(toRemove::remove); // what the writer did not delete stays
            }
        }
        for (K key : toRemove) {
            byte[] k = store.key(key);
            ReentrantLock lock = store.lock(k);
            lock.lock();
            try {
                long now = now();
                Stored s = store.read(k, classLoader);
                if (s == null) {
                    continue;
                }
                store.remove(k);
                EntryListeners<K, V>.Batch events = listeners.batch();
                V old = cast(s.value());
                if (s.expiredAt(now)) {
                    events.add(new EntryEvent<>(this, EventType.EXPIRED, key, old, old, true));
                } else {
                    events.add(new EntryEvent<>(this, EventType.REMOVED, key, old, old, true));
                    statistics.removal();
                }
                events.dispatch();
            } finally {
                lock.unlock();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void clear() {
        requireOpen();
        store.clear();
    }

    // ---------------------------------------------------------------- replacing

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        requireKeyValue(key, newValue);
        long start = System.nanoTime();
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            long now = now();
            Stored s = holding(k, oldValue, now);
            if (s == null) {
                return false;
            }
            replaceEntry(key, k, s, newValue, now, start);
            return true;
        } finally {
            lock.unlock();
            statistics.getTime(start);
        }
    }

    @Override
    public boolean replace(K key, V value) {
        return getAndReplace(key, value, false) != null;
    }

    @Override
    public @Nullable V getAndReplace(K key, V value) {
        return getAndReplace(key, value, true);
    }

    private @Nullable V getAndReplace(K key, V value, boolean wantOld) {
        requireOpen();
        requireKeyValue(key, value);
        long start = System.nanoTime();
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            long now = now();
            Stored s = peek(k, now);
            if (s == null) {
                statistics.miss();
                return null;
            }
            statistics.hit();
            replaceEntry(key, k, s, value, now, start);
            return cast(s.value());
        } finally {
            lock.unlock();
            statistics.getTime(start);
        }
    }

    private void replaceEntry(K key, byte[] k, Stored s, V value, long now, long start) {
        write(key, value);
        EntryListeners<K, V>.Batch events = listeners.batch();
        update(key, k, s, value, now, events, true);
        statistics.putTime(start);
        events.dispatch();
    }

    // ---------------------------------------------------------------- entry processors

    @Override
    public <T> @Nullable T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(processor, "processor");
        long start = System.nanoTime();
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            EntryListeners<K, V>.Batch events = listeners.batch();
            long now = now();
            Stored s = live(key, k, now, events);
            if (s == null) {
                statistics.miss();
            } else {
                statistics.hit();
            }
            ProcessedEntry<K, V> entry = new ProcessedEntry<>(
                    key, s == null ? null : cast(s.value()), configuration.isReadThrough() ? this::load : null);
            T result;
            try {
                result = processor.process(entry, arguments);
            } catch (CacheException e) {
                throw e;
            } catch (Exception e) {
                throw new EntryProcessorException(e);
            }
            apply(key, k, s, entry, now, start, events);
            events.dispatch();
            return result;
        } finally {
            lock.unlock();
            statistics.getTime(start);
        }
    }

    private void apply(
            K key,
            byte[] k,
            @Nullable Stored s,
            ProcessedEntry<K, V> entry,
            long now,
            long start,
            EntryListeners<K, V>.Batch events) {
        switch (entry.outcome()) {
            case NONE -> {}
            case ACCESS -> store.moveDeadline(k, Objects.requireNonNull(s), expiry.forAccess(now, s.deadline()));
            case LOAD -> create(key, k, Objects.requireNonNull(entry.value()), now, events, false);
            case CREATE -> {
                V value = Objects.requireNonNull(entry.value());
                write(key, value);
                create(key, k, value, now, events, true);
                statistics.putTime(start);
            }
            case UPDATE -> {
                V value = Objects.requireNonNull(entry.value());
                write(key, value);
                update(key, k, Objects.requireNonNull(s), value, now, events, true);
                statistics.putTime(start);
            }
            case REMOVE -> {
                delete(key);
                if (s != null) {
                    store.remove(k);
                    V old = cast(s.value());
                    events.add(new EntryEvent<>(this, EventType.REMOVED, key, old, old, true));
                    statistics.removal();
                    statistics.removeTime(start);
                }
            }
        }
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(
            Set<? extends K> keys, EntryProcessor<K, V, T> processor, Object... arguments) {
        requireOpen();
        requireNoNulls(keys, "keys");
        Objects.requireNonNull(processor, "processor");
        Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (K key : keys) {
            try {
                T result = invoke(key, processor, arguments);
                if (result != null) {
                    results.put(key, () -> result);
                }
            } catch (Exception e) {
                EntryProcessorException failure =
                        e instanceof EntryProcessorException p ? p : new EntryProcessorException(e);
                results.put(key, () -> {
                    throw failure;
                });
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- iteration

    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        requireOpen();
        List<StoredCache.Raw> snapshot = store.snapshot();
        long now = now();
        return new Iterator<>() {
            private int next;
            private Cache.@Nullable Entry<K, V> ahead;
            private Cache.@Nullable Entry<K, V> last;

            @Override
            public boolean hasNext() {
                while (ahead == null && next < snapshot.size()) {
                    StoredCache.Raw raw = snapshot.get(next++);
                    Object key = store.decodeKey(raw.key(), classLoader);
                    Stored s = key == null ? null : store.found(raw, classLoader);
                    if (s != null && !s.expiredAt(now)) {
                        ahead = new CacheEntry<>(cast(key), cast(s.value()));
                    }
                }
                return ahead != null;
            }

            @Override
            public Cache.Entry<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long start = System.nanoTime();
                Cache.Entry<K, V> e = Objects.requireNonNull(ahead);
                ahead = null;
                last = e;
                statistics.hit();
                touch(e.getKey());
                statistics.getTime(start);
                return e;
            }

            @Override
            public void remove() {
                Cache.Entry<K, V> e = last;
                if (e == null) {
                    throw new IllegalStateException("remove() before next(), or twice");
                }
                last = null;
                PmemJCache.this.remove(e.getKey());
            }
        };
    }

    /** The access expiry of an entry the iterator returned. */
    private void touch(K key) {
        byte[] k = store.key(key);
        ReentrantLock lock = store.lock(k);
        lock.lock();
        try {
            long now = now();
            Stored s = peek(k, now);
            if (s != null) {
                store.moveDeadline(k, s, expiry.forAccess(now, s.deadline()));
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- listeners, configuration

    @Override
    public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
        for (CacheEntryListenerConfiguration<K, V> existing : configuration.getCacheEntryListenerConfigurations()) {
            if (existing.equals(listenerConfiguration)) {
                throw new IllegalArgumentException("this listener configuration is registered already");
            }
        }
        configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
        listeners.register(listenerConfiguration);
    }

    @Override
    public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
        configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
        listeners.deregister(listenerConfiguration);
    }

    @Override
    public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
        if (clazz.isInstance(configuration)) {
            return clazz.cast(configuration);
        }
        throw new IllegalArgumentException("the configuration is not a " + clazz.getName());
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public CacheManager getCacheManager() {
        return manager;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        if (clazz == PmemMap.class) {
            return clazz.cast(store.map());
        }
        throw new IllegalArgumentException("a pmem JCache cache unwraps to "
                + getClass().getName() + " or " + PmemMap.class.getName() + ", not to " + clazz.getName());
    }

    void setStatisticsEnabled(boolean enabled) {
        configuration.setStatisticsEnabled(enabled);
        statistics.enable(enabled);
        if (enabled) {
            ManagementBeans.register(ManagementBeans.Kind.STATISTICS, manager.getURI(), name, statistics);
        } else {
            ManagementBeans.unregister(ManagementBeans.Kind.STATISTICS, manager.getURI(), name);
        }
    }

    void setManagementEnabled(boolean enabled) {
        configuration.setManagementEnabled(enabled);
        if (enabled) {
            ManagementBeans.register(ManagementBeans.Kind.CONFIGURATION, manager.getURI(), name, configurationBean);
        } else {
            ManagementBeans.unregister(ManagementBeans.Kind.CONFIGURATION, manager.getURI(), name);
        }
    }

    MutableConfiguration<K, V> configuration() {
        return configuration;
    }

    StoredCache store() {
        return store;
    }

    /** Closes this handle; the entries stay in the pool. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        manager.closed(this);
        release();
    }

    /** What closing gives back: MBeans, the loader, writer, policy and listeners, the load thread. */
    void release() {
        closed = true;
        ManagementBeans.unregister(ManagementBeans.Kind.CONFIGURATION, manager.getURI(), name);
        ManagementBeans.unregister(ManagementBeans.Kind.STATISTICS, manager.getURI(), name);
        ExecutorService pending;
        synchronized (loadAllLock) { // after closed is set: executor() makes no new one from here on
            pending = loadAllExecutor;
            loadAllExecutor = null;
        }
        if (pending != null) {
            pending.shutdown();
            try {
                pending.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        EntryListeners.closeQuietly(loader);
        EntryListeners.closeQuietly(writer);
        EntryListeners.closeQuietly(expiry.policy());
        listeners.closeAll();
    }

    // ---------------------------------------------------------------- helpers

    /** The live entry of {@code key}, or null; an expired one is removed and reported as expired. */
    private @Nullable Stored live(K key, byte[] k, long now, EntryListeners<K, V>.Batch events) {
        Stored s = store.read(k, classLoader);
        if (s == null) {
            return null;
        }
        if (s.expiredAt(now)) {
            store.remove(k); // under the key's lock: still the entry just read
            V old = cast(s.value());
            events.add(new EntryEvent<>(this, EventType.EXPIRED, key, old, old, true));
            return null;
        }
        return s;
    }

    /**
     * The live entry of {@code k} if it holds {@code expected}, else null: a hit or a miss counted,
     * and a live entry holding something else touched (access expiry), as the conditional remove
     * and replace want it. The caller holds the key's lock.
     */
    private @Nullable Stored holding(byte[] k, V expected, long now) {
        Stored s = peek(k, now);
        if (s == null) {
            statistics.miss();
            return null;
        }
        statistics.hit();
        if (!s.value().equals(expected)) {
            store.moveDeadline(k, s, expiry.forAccess(now, s.deadline()));
            return null;
        }
        return s;
    }

    /** The live entry of {@code key}, or null; an expired one is left as it is, unreported. */
    private @Nullable Stored peek(byte[] k, long now) {
        Stored s = store.read(k, classLoader);
        return s == null || s.expiredAt(now) ? null : s;
    }

    private void write(K key, V value) {
        if (writer == null || !configuration.isWriteThrough()) {
            return;
        }
        store.requireStorable(value); // the writer never sees a value the cache then refuses
        try {
            writer.write(new CacheEntry<>(key, value));
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException(e);
        }
    }

    private void delete(K key) {
        if (writer == null || !configuration.isWriteThrough()) {
            return;
        }
        try {
            writer.delete(key);
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException(e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cache '" + name + "' is closed");
        }
        if (store.stopped()) {
            // Every operation fails, reads too: a write or removal asked for since was refused,
            // so what the pool (or a by-reference copy) holds may be older than the application's
            // data; and a change must fail before its writer runs, as any refused change does.
            throw StoredCache.stopped(store.pool(), "cache '" + name + "'");
        }
    }

    private void requireKeyValue(@Nullable K key, @Nullable V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Class<K> keyType = configuration.getKeyType();
        if (keyType != Object.class && !keyType.isInstance(key)) {
            throw new ClassCastException("cache '" + name + "' holds keys of " + keyType.getName() + ", not "
                    + key.getClass().getName());
        }
        Class<V> valueType = configuration.getValueType();
        if (valueType != Object.class && !valueType.isInstance(value)) {
            throw new ClassCastException("cache '" + name + "' holds values of " + valueType.getName() + ", not "
                    + value.getClass().getName());
        }
    }

    private static void requireNoNulls(@Nullable Collection<?> items, String what) {
        Objects.requireNonNull(items, what);
        for (Object o : items) {
            Objects.requireNonNull(o, "a null in " + what);
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    @Override
    public String toString() {
        return "PmemJCache[" + name + "]";
    }
}
