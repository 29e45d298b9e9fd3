package dev.pmemspring.cache.redis.internal;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox on a real pool: what it records, coalesces, bounds, and leaves for the next process. */
class OutboxTest {

    @TempDir
    Path dir;

    PmemPool pool;
    PmemMap records;
    final AtomicInteger wakes = new AtomicInteger();

    @BeforeEach
    void open() {
        pool = PmemPool.openOrCreate(
                dir.resolve("o.pool"),
                PoolOptions.layout("outbox-test").withSize(16L << 20).withDurability(Durability.PROCESS));
        records = pool.map(PoolRecords.MAP_NAME);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void a_change_is_in_the_pool_until_it_was_sent_and_a_key_waits_once() {
        Outbox box = new Outbox(records, 100, wakes::incrementAndGet);
        box.keyChanged("c", key("a"));
        box.keyChanged("c", key("a"));
        box.keyChanged("c", key("b"));
        assertThat(box.size()).isEqualTo(2);
        assertThat(records.size()).isEqualTo(2);
        assertThat(wakes).hasValue(2);

        List<Outbox.Taken> taken = box.take(1000, 1 << 20);
        assertThat(taken).hasSize(2);
        assertThat(box.isEmpty()).isTrue();
        assertThat(records.size()).as("taken is not sent").isEqualTo(2);
        box.keyChanged("c", key("a")); // changed again while in flight: waits again, newer record
        box.sent(taken);
        assertThat(records.size()).as("b's record went, a's newer one stays").isEqualTo(1);
        assertThat(box.size()).isEqualTo(1);
    }

    @Test
    void a_change_taken_to_be_sent_stays_pending_until_redis_acknowledged_it() {
        Outbox box = new Outbox(records, 100, () -> {});
        box.keyChanged("c", key("a"));
        box.cacheCleared("d");
        assertThat(box.pending()).isEqualTo(2);

        List<Outbox.Taken> taken = box.take(1000, 1 << 20);
        assertThat(box.size()).as("nothing waits to be taken").isZero();
        assertThat(box.pending()).as("but nothing was acknowledged").isEqualTo(2);
        box.putBack(taken); // Redis was away
        assertThat(box.pending()).isEqualTo(2);
        box.sent(box.take(1000, 1 << 20));
        assertThat(box.pending()).isZero();
    }

    @Test
    void what_a_killed_process_left_unsent_is_read_back() {
        Outbox first = new Outbox(records, 100, () -> {});
        first.keyChanged("c", key("a"));
        first.cacheCleared("d");
        first.take(1000, 1 << 20); // in flight when the process died

        Outbox next = new Outbox(records, 100, () -> {});
        List<Outbox.Taken> again = next.take(1000, 1 << 20);
        assertThat(again)
                .extracting(t -> t.change().kind())
                .containsExactlyInAnyOrder(Change.Kind.KEY, Change.Kind.CLEAR);
        next.keyChanged("c", key("z"));
        assertThat(next.take(1000, 1 << 20).getFirst().pending().sequence)
                .as("sequence continues after the records read back")
                .isGreaterThan(again.stream()
                        .mapToLong(t -> t.pending().sequence)
                        .max()
                        .orElseThrow());
    }

    @Test
    void past_its_capacity_a_cache_clear_replaces_the_keys_and_the_bound_holds_after_a_failed_send() {
        Outbox box = new Outbox(records, 5, () -> {});
        for (int i = 0; i < 4; i++) {
            box.keyChanged("other", key("o" + i));
        }
        List<Outbox.Taken> inFlight = box.take(1000, 1 << 20);
        for (int i = 0; i < 50; i++) {
            box.keyChanged("products", key("e" + i));
        }
        assertThat(box.forcedClears()).isPositive();
        assertThat(box.size()).isLessThanOrEqualTo(5 + 1);

        box.putBack(inFlight); // Redis did not answer
        assertThat(box.size()).as("capacity plus one clear per cache").isLessThanOrEqualTo(5 + 2);
        assertThat(records.size()).as("the pool holds no more than the outbox").isEqualTo(box.size());

        List<Outbox.Taken> all = box.take(1000, 1 << 20);
        assertThat(all)
                .filteredOn(t -> t.change().cache().equals("products"))
                .singleElement()
                .satisfies(t -> assertThat(t.change().kind()).isEqualTo(Change.Kind.CLEAR));
    }

    @Test
    void a_waiting_clear_covers_later_key_changes_and_an_overlong_key_clears() {
        Outbox box = new Outbox(records, 100, () -> {});
        box.keyChanged("c", key("a"));
        box.cacheCleared("c");
        box.keyChanged("c", key("b"));
        assertThat(box.size()).isEqualTo(1);
        assertThat(records.size()).isEqualTo(1);

        box.keyChanged("long", new byte[Outbox.MAX_KEY_BYTES + 1]);
        assertThat(box.take(1000, 1 << 20))
                .extracting(t -> t.change().kind())
                .containsOnly(Change.Kind.CLEAR)
                .hasSize(2);
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
