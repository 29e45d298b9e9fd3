package dev.pmemspring.jcache.internal;

import javax.cache.Cache;

/** A key and its value as a cache's iterator and {@code getAll} see them; a copy, not a view. */
final class CacheEntry<K, V> implements Cache.Entry<K, V> {

    private final K key;
    private final V value;

    CacheEntry(K key, V value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a cache entry is not a " + clazz.getName());
    }

    @Override
    public String toString() {
        return key + "=" + value;
    }
}
