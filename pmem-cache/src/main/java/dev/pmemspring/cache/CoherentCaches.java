package dev.pmemspring.cache;

import dev.pmemspring.core.PmemPool;

import java.util.List;

/**
 * The caches of one manager as a {@link CacheCoherence} sees them: where it applies what other
 * instances changed. Changes made here are not reported back to the coherence. Each method also
 * reaches caches the pool holds but this process has not opened yet, so they open without values
 * changed elsewhere meanwhile.
 */
public interface CoherentCaches {

    /** The pool the caches live in; a coherence may keep its own state there. */
    PmemPool pool();

    /** Drops {@code key} (its stored form) from {@code cache}, in the pool and the heap tier; nothing if absent. */
    void invalidate(String cache, byte[] key);

    /** Empties {@code cache}; nothing if this pool holds no such cache. */
    void clear(String cache);

    /** Empties every cache the pool holds and returns the names of those that held entries. */
    List<String> clearAll();
}
