package dev.pmemspring.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;

/**
 * Deserialized values in front of the pool, held by Caffeine: bounded by entries or by the size of
 * the entries' stored form, with Caffeine's W-TinyLFU admission, so a tier much smaller than the
 * cache keeps the keys read most often rather than those read last. A {@link Doorkeeper} before
 * it keeps out keys read or written only once in a while.
 *
 * <p>It never serves a value the pool has since replaced or removed. Three rules keep that:
 * <ol>
 *   <li>Every change of a key in the pool runs inside {@link #update}, under Caffeine's lock for
 *       that key, and moves the key's stripe stamp ({@link WriteStamps}) there, after the pool
 *       changed.</li>
 *   <li>A fill reads the pool without a lock, having read the stripe's stamp before; it is kept
 *       only if, under the key's lock, the stamp has not moved ({@link #fill}). A writer that ran
 *       in between moved it inside that lock, so either the fill sees the move, or the writer ran
 *       after the fill and replaces its node.</li>
 *   <li>A node carries the clear epoch read before the pool access it reflects; a clear moves the
 *       epoch after emptying the pool, so no node read or written before a clear is served after
 *       it, whether or not Caffeine's own clear, which is not atomic, happened to remove it.</li>
 * </ol>
 * Caffeine evicting a node is always safe: the next read goes to the pool.
 *
 * <p>Caffeine's maintenance (applying reads to the policy, evicting) runs on its default executor,
 * {@code ForkJoinPool.commonPool()}, off the caller's thread; an eviction that lags a little only
 * lets the tier exceed its bound briefly, it never serves anything stale.
 */
public final class HeapTier {

    /**
     * A value, its deadline (epoch millis, 0 none; as the pool's entry has it), the latest deadline a
     * time-to-idle may move it to (0 none), the clear epoch it was read in, and its weight.
     */
    public record Node(Object value, long expiresAt, long limit, long epoch, int weight) {

        /** This node with its deadline moved to {@code at}. */
        public Node expiringAt(long at) {
            return new Node(value, at, limit, epoch, weight);
        }
    }

    /** A change of one key in the pool, run under the key's lock. */
    @FunctionalInterface
    public interface Write {
        /**
         * Changes the pool; returns the node to keep (null: none), made with {@code epoch}.
         *
         * @param held the live node held for the key, or null
         * @param epoch the clear epoch, read before this write
         */
        @Nullable
        Node apply(@Nullable Node held, long epoch);
    }

    /** The size of a value a byte-bounded tier is assumed to hold, to size its {@link Doorkeeper}. */
    private static final long TYPICAL_WEIGHT = 256;

    private final Cache<Object, Node> nodes;
    private final WriteStamps stamps;
    private final Doorkeeper doorkeeper;

    private HeapTier(Cache<Object, Node> nodes, WriteStamps stamps, long entries) {
        this.nodes = nodes;
        this.stamps = stamps;
        this.doorkeeper = new Doorkeeper(entries);
    }

    /** A tier of at most {@code entries} values. */
    public static HeapTier ofEntries(long entries, WriteStamps stamps) {
        return new HeapTier(Caffeine.newBuilder().maximumSize(entries).build(), stamps, entries);
    }

    /** A tier whose values' stored forms (key and value bytes) take at most {@code bytes} together. */
    public static HeapTier ofBytes(long bytes, WriteStamps stamps) {
        return new HeapTier(
                Caffeine.newBuilder()
                        .maximumWeight(bytes)
                        .weigher((Object key, Node node) -> node.weight())
                        .build(),
                stamps,
                bytes / TYPICAL_WEIGHT);
    }

    /** The live node of {@code key}, or null; an expired node or one from before a clear is dropped. */
    public @Nullable Node get(Object key) {
        Node n = nodes.getIfPresent(key);
        if (n == null) {
            return null;
        }
        if (!live(n, stamps.epoch())) {
            nodes.asMap().remove(key, n);
            return null;
        }
        return n;
    }

    /**
     * Runs {@code write} (a pool change of {@code key}, whose stored form is in {@code stripe})
     * under the key's lock, keeps the node it returns (for a key the tier did not hold, only if the
     * {@link Doorkeeper} lets it in), and moves the stripe's stamp after it.
     */
    public void update(Object key, int stripe, Write write) {
        long epoch = stamps.epoch();
        nodes.asMap().compute(key, (k, held) -> {
            try {
                Node live = held != null && live(held, epoch) ? held : null;
                Node kept = write.apply(live, epoch);
                return kept != null && live == null && !doorkeeper.passes(key) ? null : kept;
            } finally {
                stamps.bump(stripe); // after the pool changed, before the lock is released: see fill
            }
        });
    }

    private static boolean live(Node n, long epoch) {
        return n.epoch() == epoch && (n.expiresAt() == 0 || System.currentTimeMillis() < n.expiresAt());
    }

    /**
     * Whether a value of {@code key} just read from the pool is worth a {@link #fill}: only if the
     * key was read from the pool recently too ({@link Doorkeeper}).
     */
    public boolean worthFilling(Object key) {
        return doorkeeper.passes(key);
    }

    /**
     * Keeps {@code node}, read from the pool without a lock, unless the key is held already or the
     * stamp of its {@code stripe} is no longer {@code stampBefore} (read before the pool was).
     */
    public void fill(Object key, Node node, int stripe, long stampBefore) {
        nodes.asMap().computeIfAbsent(key, k -> stamps.read(stripe) == stampBefore ? node : null);
    }

    /**
     * Replaces {@code held} by {@code moved} (the same value, a later deadline the pool was given),
     * unless a writer replaced or dropped it meanwhile; no stamp moves, as the pool's value did not
     * change.
     */
    public void replace(Object key, Node held, Node moved) {
        nodes.asMap().replace(key, held, moved);
    }

    /** Drops {@code held}, unless a writer replaced it meanwhile (the pool no longer has its entry). */
    public void remove(Object key, Node held) {
        nodes.asMap().remove(key, held);
    }

    /**
     * Drops every node. After a pool clear the caller moves the clear epoch first: Caffeine's clear
     * is not atomic, and a fill racing with it could otherwise survive it.
     */
    public void clear() {
        nodes.invalidateAll();
    }

    /** Nodes held (an estimate, as Caffeine gives it). */
    public long size() {
        return nodes.estimatedSize();
    }

    /** Runs Caffeine's pending maintenance now (for tests that check the bound). */
    void settle() {
        nodes.cleanUp();
    }
}
