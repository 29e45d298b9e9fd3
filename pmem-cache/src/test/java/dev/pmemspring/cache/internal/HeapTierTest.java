package dev.pmemspring.cache.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeapTierTest {

    @Test
    void stays_within_capacity_even_when_every_node_is_hot() {
        HeapTier tier = new HeapTier(100);
        for (int i = 0; i < 10_000; i++) {
            int key = i;
            tier.update(key, held -> new HeapTier.Node("v" + key, 0));
            for (int j = Math.max(0, i - 200); j <= i; j++) {
                tier.get(j); // mark everything that might still be held
            }
            assertThat(tier.size()).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void a_second_chance_keeps_read_nodes_over_unread_ones() {
        HeapTier tier = new HeapTier(10);
        for (int i = 0; i < 10; i++) {
            int key = i;
            tier.update(key, held -> new HeapTier.Node(key, 0));
        }
        tier.get(3);
        tier.update(10, held -> new HeapTier.Node(10, 0)); // one over: the hand evicts an unread node
        assertThat(tier.get(3)).isNotNull();
        assertThat(tier.size()).isEqualTo(10);
    }

    @Test
    void expired_nodes_read_as_absent() {
        HeapTier tier = new HeapTier(10);
        tier.update("k", held -> new HeapTier.Node("v", System.currentTimeMillis() - 1));
        assertThat(tier.get("k")).isNull();
        assertThat(tier.size()).isZero();
    }
}
