package dev.pmemspring.jcache.internal;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

import org.jspecify.annotations.Nullable;

/** One change of an entry, as listeners receive it. */
final class EntryEvent<K, V> extends CacheEntryEvent<K, V> {

    private static final long serialVersionUID = 1L;

    private final K key;
    private final transient @Nullable V value;
    private final transient @Nullable V oldValue;
    private final boolean oldValueAvailable;

    EntryEvent(
            Cache<K, V> source,
            EventType type,
            K key,
            @Nullable V value,
            @Nullable V oldValue,
            boolean oldValueAvailable) {
        super(source, type);
        this.key = key;
        this.value = value;
        this.oldValue = oldValue;
        this.oldValueAvailable = oldValueAvailable;
    }

    /** The same event without its old value, for a listener that did not ask for old values. */
    EntryEvent<K, V> withoutOldValue() {
        if (!oldValueAvailable) {
            return this;
        }
        return switch (getEventType()) {
            case UPDATED -> new EntryEvent<>(getSource(), getEventType(), key, value, null, false);
            default -> this; // removed and expired entries' value is their old value: kept
        };
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    @SuppressWarnings("NullAway")
    public V getValue() {
        return value;
    }

    @Override
    @SuppressWarnings("NullAway")
    public V getOldValue() {
        return oldValue;
    }

    @Override
    public boolean isOldValueAvailable() {
        return oldValueAvailable;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("an entry event is not a " + clazz.getName());
    }
}
