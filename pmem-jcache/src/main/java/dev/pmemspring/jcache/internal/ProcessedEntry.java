package dev.pmemspring.jcache.internal;

import java.util.function.Function;

import javax.cache.processor.MutableEntry;

import org.jspecify.annotations.Nullable;

/**
 * The entry an {@code EntryProcessor} works on: its changes are recorded, and applied by the cache
 * once the processor returned (none if it throws). {@link #outcome()} says what to apply.
 */
final class ProcessedEntry<K, V> implements MutableEntry<K, V> {

    /** What the processor did to the entry, as far as the cache must act on it. */
    enum Outcome {
        NONE,
        ACCESS,
        LOAD,
        CREATE,
        UPDATE,
        REMOVE
    }

    private final K key;
    private final @Nullable V original;
    private final @Nullable Function<K, @Nullable V> readThrough;
    private @Nullable V value;
    private Outcome outcome = Outcome.NONE;

    ProcessedEntry(K key, @Nullable V original, @Nullable Function<K, @Nullable V> readThrough) {
        this.key = key;
        this.original = original;
        this.value = original;
        this.readThrough = readThrough;
    }

    Outcome outcome() {
        return outcome;
    }

    @Nullable
    V value() {
        return value;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public boolean exists() {
        return value != null;
    }

    @Override
    @SuppressWarnings("NullAway")
    public V getValue() {
        if (value != null) {
            if (outcome == Outcome.NONE) {
                outcome = Outcome.ACCESS;
            }
            return value;
        }
        if (readThrough != null && outcome != Outcome.REMOVE) {
            V loaded = readThrough.apply(key);
            if (loaded != null) {
                value = loaded;
                outcome = Outcome.LOAD;
            }
        }
        return value;
    }

    @Override
    public void setValue(V newValue) {
        if (newValue == null) {
            throw new NullPointerException("an entry's value must not be null");
        }
        value = newValue;
        outcome = original == null ? Outcome.CREATE : Outcome.UPDATE;
    }

    @Override
    public void remove() {
        value = null;
        // a value created or loaded here and removed again leaves nothing to do; any other removal
        // reaches the writer, also of an entry that was not there (as the specification has it)
        outcome = outcome == Outcome.CREATE || outcome == Outcome.LOAD ? Outcome.NONE : Outcome.REMOVE;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        throw new IllegalArgumentException("a processed entry does not unwrap to " + clazz.getName());
    }
}
