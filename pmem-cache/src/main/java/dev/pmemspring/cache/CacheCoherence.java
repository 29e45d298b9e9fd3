package dev.pmemspring.cache;

/**
 * Keeps the caches of one {@link PmemCacheManager} coherent with those of other instances of the
 * same service, each with a pool of its own. {@code pmem-cache-redis} provides one over a Redis
 * Stream; give it to {@link PmemCacheManager.Builder#coherence}.
 *
 * <p>The manager reports each local change that peers may hold a copy of: a put, a
 * {@code putIfAbsent} (whether or not it stores), an evict and a clear. It does so on the writing
 * thread <em>before</em> the change reaches the pool, so an implementation that records the report
 * durably first can never lose one: a process killed between the two reports a change that did
 * not happen, which costs peers one miss. Stores of loaded values ({@code get(key, loader)},
 * {@code retrieve(key, loader)}, and a put that follows a miss of the same key on the same thread,
 * as Spring's {@code @Cacheable} does) are not reported: they copy what the back end holds, and
 * peers learn of the change that made their copies old from its writer. Evictions to meet a bound,
 * expiry and dropped damaged entries are local and not reported either.
 *
 * <p>The other way, an implementation applies what changed elsewhere through the
 * {@link CoherentCaches} it is started with. Keys cross as their stored form: bytes equal exactly
 * when the keys are equal, on every instance running the same classes.
 *
 * <p>Reports must be cheap and must never fail or wait for a peer: a request must not fail because
 * the coherence channel is away.
 */
public interface CacheCoherence {

    /** No coherence: each instance keeps its own caches. */
    CacheCoherence NONE = new CacheCoherence() {
        @Override
        public void start(CoherentCaches caches) {}

        @Override
        public void keyChanged(String cache, byte[] key) {}

        @Override
        public void cacheCleared(String cache) {}

        @Override
        public CoherenceStatus status() {
            return CoherenceStatus.NONE;
        }

        @Override
        public String toString() {
            return "CacheCoherence.NONE";
        }
    };

    /**
     * Called once by the manager when it is built, before it serves a request. May block for a
     * bounded time to catch up with what changed elsewhere while this instance was away.
     */
    void start(CoherentCaches caches);

    /** {@code key} (its stored form) of {@code cache} is about to be written or removed here. */
    void keyChanged(String cache, byte[] key);

    /** Every entry of {@code cache} is about to be removed here. */
    void cacheCleared(String cache);

    /** What the coherence is doing now, for health checks and the actuator. */
    CoherenceStatus status();
}
