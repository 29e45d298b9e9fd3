package dev.pmemspring.cache.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DoorkeeperTest {

    @Test
    void a_key_passes_from_its_second_ask_until_newer_keys_push_it_out() {
        Doorkeeper door = new Doorkeeper(1_000);
        assertThat(door.passes("product:1")).as("first ask").isFalse();
        assertThat(door.passes("product:1")).as("second ask").isTrue();
        assertThat(door.passes("product:1")).isTrue();

        int passedAtOnce = 0;
        for (int i = 2; i < 100_000; i++) {
            if (door.passes("product:" + i)) {
                passedAtOnce++;
            }
        }
        assertThat(passedAtOnce).as("keys asking once (only equal hashes pass)").isLessThan(10);
        assertThat(door.passes("product:1"))
                .as("forgotten after 100,000 newer keys")
                .isFalse();
    }

    @Test
    void the_table_has_a_quarter_to_half_a_slot_per_entry_within_its_limits() {
        assertThat(new Doorkeeper(0).slots()).isEqualTo(256);
        assertThat(new Doorkeeper(1_000).slots()).isEqualTo(256);
        assertThat(new Doorkeeper(4_096).slots()).isEqualTo(1024);
        assertThat(new Doorkeeper(4_100).slots()).isEqualTo(2048);
        assertThat(new Doorkeeper(10_000).slots()).isEqualTo(4096);
        assertThat(new Doorkeeper(Long.MAX_VALUE).slots()).isEqualTo(1 << 22);
    }
}
