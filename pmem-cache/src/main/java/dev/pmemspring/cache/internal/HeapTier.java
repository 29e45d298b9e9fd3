package dev.pmemspring.cache.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A bounded map of deserialized values in front of the pool. Writers change the pool inside
 * {@link #update}, under the key's lock here, and fills read the pool inside {@link #fill} under the
 * same lock, so the tier can never keep a value the pool has since replaced or removed. Beyond its
 * capacity it evicts by CLOCK: a hit marks an entry; the hand clears marks and evicts unmarked ones.
 */
public final class HeapTier {

    /** A value and its deadline (epoch millis, 0 none). */
    public static final class Node {
        final Object value;
        final long expiresAt;
        volatile boolean referenced;

        public Node(Object value, long expiresAt) {
            this.value = value;
            this.expiresAt = expiresAt;
        }

        public Object value() {
            return value;
        }
    }

    /** Marked nodes the hand passes over before it evicts one anyway. */
    private static final int SWEEP = 16;

    private final ConcurrentHashMap<Object, Node> nodes;
    private final int capacity;
    private final ReentrantLock hand = new ReentrantLock();
    private Iterator<Map.Entry<Object, Node>> position;

    public HeapTier(int capacity) {
        this.capacity = capacity;
        this.nodes = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    /** The live node of {@code key}, or null. */
    public Node get(Object key) {
        Node n = nodes.get(key);
        if (n == null) {
            return null;
        }
        if (expired(n)) {
            nodes.remove(key, n);
            return null;
        }
        if (!n.referenced) {
            n.referenced = true;
        }
        return n;
    }

    /**
     * Runs {@code write} (a pool change) under {@code key}'s lock, given the live node held (or
     * null), and keeps the node it returns (null: none).
     */
    public void update(Object key, UnaryOperator<Node> write) {
        nodes.compute(key, (k, old) -> write.apply(old == null || expired(old) ? null : old));
        trim();
    }

    private static boolean expired(Node n) {
        return n.expiresAt != 0 && System.currentTimeMillis() >= n.expiresAt;
    }

    /**
     * The node of {@code key}: the one held, or else what {@code read} loads from the pool (null:
     * nothing), read under the key's lock.
     */
    public Node fill(Object key, Supplier<Node> read) {
        boolean[] loaded = new boolean[1];
        Node n = nodes.computeIfAbsent(key, k -> {
            loaded[0] = true;
            return read.get();
        });
        if (loaded[0] && n != null) {
            trim();
        }
        return n;
    }

    public void clear() {
        nodes.clear();
    }

    public int size() {
        return nodes.size();
    }

    private void trim() {
        if (nodes.size() <= capacity || !hand.tryLock()) {
            return;
        }
        try {
            // CLOCK with a bounded sweep: a marked node gets a second chance, but after
            // SWEEP nodes the one under the hand goes regardless, so a fill under a hot,
            // all-marked working set costs a few steps, not a pass over the whole tier
            int sweep = 0;
            while (nodes.size() > capacity) {
                if (position == null || !position.hasNext()) {
                    position = nodes.entrySet().iterator();
                    if (!position.hasNext()) {
                        return;
                    }
                }
                Map.Entry<Object, Node> e = position.next();
                Node n = e.getValue();
                if (n.referenced && sweep++ < SWEEP) {
                    n.referenced = false;
                } else {
                    nodes.remove(e.getKey(), n);
                    sweep = 0;
                }
            }
        } finally {
            hand.unlock();
        }
    }
}
