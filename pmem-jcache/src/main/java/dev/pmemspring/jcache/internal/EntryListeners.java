package dev.pmemspring.jcache.internal;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;

import org.jspecify.annotations.Nullable;

/**
 * A cache's entry listeners and how events reach them. An operation collects its events in a
 * {@link Batch} and dispatches them before it returns, still holding its key's lock, so every
 * listener sees a key's events in the order they happened: expired, then created, updated,
 * removed. Every listener is called on the caller's thread, the asynchronous ones too (which the
 * specification allows): an operation returns only once its listeners have seen it.
 */
final class EntryListeners<K, V> {

    private record Registration<K, V>(
            CacheEntryListenerConfiguration<K, V> configuration,
            CacheEntryListener<? super K, ? super V> listener,
            @Nullable CacheEntryEventFilter<? super K, ? super V> filter) {}

    /** The order a batch's events are delivered in. */
    private static final EventType[] ORDER = {EventType.EXPIRED, EventType.CREATED, EventType.UPDATED, EventType.REMOVED
    };

    private final List<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();

    void register(CacheEntryListenerConfiguration<K, V> configuration) {
        Factory<CacheEntryListener<? super K, ? super V>> listenerFactory =
                configuration.getCacheEntryListenerFactory();
        CacheEntryListener<? super K, ? super V> listener = listenerFactory.create();
        Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory =
                configuration.getCacheEntryEventFilterFactory();
        registrations.add(
                new Registration<>(configuration, listener, filterFactory == null ? null : filterFactory.create()));
    }

    void deregister(CacheEntryListenerConfiguration<K, V> configuration) {
        for (Registration<K, V> r : registrations) {
            if (r.configuration().equals(configuration)) {
                registrations.remove(r);
                close(r);
            }
        }
    }

    boolean isEmpty() {
        return registrations.isEmpty();
    }

    void closeAll() {
        for (Registration<K, V> r : registrations) {
            close(r);
        }
        registrations.clear();
    }

    private static void close(Registration<?, ?> r) {
        closeQuietly(r.listener());
        closeQuietly(r.filter());
    }

    static void closeQuietly(@Nullable Object o) {
        if (o instanceof Closeable c) {
            try {
                c.close();
            } catch (Exception e) {
                // closing is best effort: the cache is going away either way
            }
        }
    }

    /** The events of one operation. */
    Batch batch() {
        return new Batch();
    }

    final class Batch {
        private @Nullable Map<EventType, List<EntryEvent<K, V>>> events; // made at the first event

        void add(EntryEvent<K, V> event) {
            if (!registrations.isEmpty()) {
                if (events == null) {
                    events = new EnumMap<>(EventType.class);
                }
                events.computeIfAbsent(event.getEventType(), t -> new ArrayList<>())
                        .add(event);
            }
        }

        /** Delivers what was collected; a listener's failure reaches the caller after the change. */
        void dispatch() {
            Map<EventType, List<EntryEvent<K, V>>> collected = events;
            if (collected == null) {
                return;
            }
            events = null;
            for (EventType type : ORDER) {
                List<EntryEvent<K, V>> list = collected.get(type);
                if (list != null) {
                    for (Registration<K, V> r : registrations) {
                        deliver(r, type, list);
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void deliver(Registration<K, V> r, EventType type, List<EntryEvent<K, V>> events) {
        CacheEntryListener<? super K, ? super V> l = r.listener();
        boolean listens = switch (type) {
            case CREATED -> l instanceof CacheEntryCreatedListener;
            case UPDATED -> l instanceof CacheEntryUpdatedListener;
            case REMOVED -> l instanceof CacheEntryRemovedListener;
            case EXPIRED -> l instanceof CacheEntryExpiredListener;
        };
        if (!listens) {
            return;
        }
        try {
            List<EntryEvent<K, V>> passed = new ArrayList<>(events.size());
            for (EntryEvent<K, V> e : events) {
                if (r.filter() == null || r.filter().evaluate(e)) {
                    passed.add(r.configuration().isOldValueRequired() ? e : e.withoutOldValue());
                }
            }
            if (passed.isEmpty()) {
                return;
            }
            Iterable<javax.cache.event.CacheEntryEvent<? extends K, ? extends V>> it =
                    (Iterable<javax.cache.event.CacheEntryEvent<? extends K, ? extends V>>) (Iterable<?>) passed;
            switch (type) {
                case CREATED -> ((CacheEntryCreatedListener<K, V>) l).onCreated(it);
                case UPDATED -> ((CacheEntryUpdatedListener<K, V>) l).onUpdated(it);
                case REMOVED -> ((CacheEntryRemovedListener<K, V>) l).onRemoved(it);
                case EXPIRED -> ((CacheEntryExpiredListener<K, V>) l).onExpired(it);
            }
        } catch (CacheEntryListenerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheEntryListenerException(e);
        }
    }
}
