package dev.pmemspring.cache.redis;

import dev.pmemspring.cache.CoherenceStatus;
import dev.pmemspring.cache.PmemCache;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.core.testing.FailingWriteBacks;
import dev.pmemspring.cache.internal.KeyEncoder;
import dev.pmemspring.cache.redis.internal.Outbox;
import dev.pmemspring.cache.redis.internal.PoolRecords;
import dev.pmemspring.cache.redis.internal.StreamClient;
import dev.pmemspring.cache.redis.internal.StreamId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.data.redis.connection.RedisConnection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two instances (pools, managers, coherences) on one private redis-server: what one writes, the
 * other drops; a restarted instance replays what it missed and keeps the rest; what cannot be
 * replayed clears its caches.
 */
class RedisCacheCoherenceTest {

    @TempDir
    Path dir;

    RedisServer redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start(dir.resolve("redis"));
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void an_evict_on_one_instance_drops_the_key_on_the_other() {
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis);
                Instance b = Instance.open(dir.resolve("b.pool"), redis)) {
            // Loads are not published, so both hold p1 without dropping each other's copy.
            a.cache("products").get("p1", () -> "one");
            b.cache("products").get("p1", () -> "one");
            b.cache("products").put("p2", "two");
            awaitTrue(() -> a.coherence.status().applied() >= 1, "a applied b's put");
            awaitTrue(() -> b.coherence.status().skipped() >= 1, "b's own put came back");
            assertThat(b.cache("products").get("p1", String.class)).isEqualTo("one");

            a.cache("products").evict("p1");

            awaitTrue(() -> b.cache("products").get("p1") == null, "b dropped p1");
            assertThat(b.cache("products").get("p2", String.class)).isEqualTo("two");
            CoherenceStatus sb = b.coherence.status();
            assertThat(sb.state()).isEqualTo(CoherenceStatus.State.UP);
            assertThat(sb.skipped()).as("b's own put came back and was skipped").isEqualTo(1);
            assertThat(b.cache("products").stats().invalidations()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void a_put_drops_the_older_copy_and_a_clear_clears_every_copy() {
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis);
                Instance b = Instance.open(dir.resolve("b.pool"), redis)) {
            b.cache("quotes").put("q", 1L);
            b.cache("quotes").put("r", 2L);
            awaitTrue(() -> a.coherence.status().applied() >= 2, "a saw b's puts");

            a.cache("quotes").put("q", 10L);
            awaitTrue(() -> b.cache("quotes").get("q") == null, "b dropped its older q");
            assertThat(b.cache("quotes").get("r", Long.class)).isEqualTo(2L);

            a.cache("quotes").clear();
            awaitTrue(() -> b.cache("quotes").estimatedSize() == 0, "b cleared quotes");
        }
    }

    @Test
    void a_heap_tier_drops_what_another_instance_changed() {
        PmemCacheSettings tiered = PmemCacheSettings.defaults().withHeapTier(100);
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis, o -> o, tiered);
                Instance b = Instance.open(dir.resolve("b.pool"), redis, o -> o, tiered)) {
            PmemCache bp = b.cache("products");
            bp.put("p", "old");
            bp.put(new SkuKey("S", 7), "record-keyed");
            awaitTrue(() -> a.coherence.status().applied() >= 2, "a saw b's puts");
            assertThat(bp.get("p", String.class)).isEqualTo("old"); // now held in b's heap tier

            a.cache("products").put("p", "new");
            a.cache("products").evict(new SkuKey("S", 7));

            awaitTrue(() -> bp.get("p") == null, "b's heap tier dropped p");
            awaitTrue(() -> bp.get(new SkuKey("S", 7)) == null, "b dropped the record key");
        }
    }

    @Test
    void an_instance_whose_pool_stopped_stops_following_and_says_why() {
        FailingWriteBacks storage = new FailingWriteBacks();
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis);
                Instance b = storage.opening(() -> Instance.open(dir.resolve("b.pool"), redis, Durability.SYNC));
                Instance witness = Instance.open(dir.resolve("c.pool"), redis)) {
            PmemCache bp = b.cache("products");
            a.cache("products").put("p1", "one");
            awaitTrue(() -> b.coherence.status().applied() >= 1, "b applied a's put");
            bp.put("p2", "two");

            // b's storage fails every write-back from now on: b's pool stops at this put, or at its
            // follower's store of its position if that comes first (the put is refused either way)
            storage.failFromNow();
            assertThatThrownBy(() -> bp.put("p2", "changed")).isInstanceOf(PoolStoppedException.class);
            assertThat(b.pool.isStopped()).isTrue();

            // b cannot drop a's next change from its pool: it stops following, and says why,
            // rather than retry as if Redis were away.
            a.cache("products").evict("p1");
            awaitTrue(
                    () -> String.valueOf(b.coherence.status().reason()).contains("the pool stopped taking changes"),
                    "b says its pool stopped");
            CoherenceStatus stopped = b.coherence.status();
            assertThat(stopped.state()).isEqualTo(CoherenceStatus.State.DEGRADED);

            witness.cache("products").put("p3", "old");
            a.cache("products").put("p3", "three");
            awaitTrue(() -> witness.cache("products").get("p3") == null, "the witness applied a's later put");
            sleep(Duration.ofMillis(1500)); // past b's check interval, when a follower still running reads again
            CoherenceStatus later = b.coherence.status();
            assertThat(later.applied()).isEqualTo(stopped.applied());
            assertThat(later.reason()).doesNotContain("cannot read stream");
            // and its caches serve nothing, as any cache of a stopped pool
            assertThat(bp.get("p2")).isNull();
        }
    }

    @Test
    void a_restarted_instance_replays_what_it_missed_and_keeps_the_rest() {
        Path bPool = dir.resolve("b.pool");
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis)) {
            try (Instance b = Instance.open(bPool, redis)) {
                for (int i = 0; i < 100; i++) {
                    b.cache("products").put("p" + i, "v" + i);
                }
                awaitTrue(() -> a.coherence.status().applied() >= 100, "a saw b's puts");
            }
            for (int i = 0; i < 100; i += 10) {
                a.cache("products").evict("p" + i);
            }
            a.cache("other").clear();
            awaitTrue(() -> a.coherence.status().published() >= 11, "a sent its changes");

            try (Instance b = Instance.open(bPool, redis)) {
                // start() waited until caught up: nothing stale is served from the first request on
                for (int i = 0; i < 100; i++) {
                    Object v = b.cache("products").get("p" + i) == null
                            ? null
                            : b.cache("products").get("p" + i).get();
                    if (i % 10 == 0) {
                        assertThat(v).as("p%d changed while b was away", i).isNull();
                    } else {
                        assertThat(v).as("p%d unchanged", i).isEqualTo("v" + i);
                    }
                }
                CoherenceStatus s = b.coherence.status();
                assertThat(s.resyncs()).isZero();
                assertThat(s.applied()).isGreaterThanOrEqualTo(11);
            }
        }
    }

    @Test
    void a_change_recorded_by_a_process_that_died_before_making_it_is_dropped_everywhere() {
        Path bPool = dir.resolve("b.pool");
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis)) {
            try (Instance b = Instance.open(bPool, redis)) {
                b.cache("products").put("k", "old");
                awaitTrue(() -> a.coherence.status().applied() >= 1, "a saw b's put");
            }
            a.cache("products").get("k", () -> "old"); // a holds a copy too: a load, which is not reported
            // What a kill -9 of b between recording a change of k and writing k leaves: the record
            // in b's pool, and b's value from before the change (the back end may hold a newer one).
            try (PmemPool pool =
                    PmemPool.open(bPool, PoolOptions.layout("coherence-test").withDurability(Durability.PROCESS))) {
                new Outbox(pool.map(PoolRecords.MAP_NAME), 10, () -> {}).keyChanged("products", KeyEncoder.encode("k"));
            }

            try (Instance b = Instance.open(bPool, redis)) {
                assertThat(b.cache("products").get("k"))
                        .as("b dropped the key it may not have written")
                        .isNull();
                awaitTrue(() -> a.cache("products").get("k") == null, "a dropped k: the change was sent");
                // a can read the entry from the stream before b's publisher has Redis's reply in hand
                awaitTrue(() -> b.coherence.status().pending() == 0, "b's change acknowledged");
            }
        }
    }

    @Test
    void a_stream_trimmed_past_an_instance_clears_its_caches() {
        Path bPool = dir.resolve("b.pool");
        try (Instance a =
                Instance.open(dir.resolve("a.pool"), redis, o -> o.maxLength(10), PmemCacheSettings.defaults())) {
            try (Instance b = Instance.open(bPool, redis, o -> o.maxLength(10), PmemCacheSettings.defaults())) {
                b.cache("products").put("kept?", "v");
                awaitTrue(() -> a.coherence.status().applied() >= 1, "a saw b's put");
            }
            StreamClient stream = new StreamClient(Instance.STREAM, 10);
            StreamId leftAt = stateOf(a, stream).lastGenerated();
            // one change per stream entry until the stream no longer holds where b left (MAXLEN ~ trims whole nodes)
            for (int i = 0; !stateOf(a, stream).trimmedPast(leftAt); i++) {
                assertThat(i)
                        .as("puts before Redis trimmed the stream: %s", stateOf(a, stream))
                        .isLessThan(5000);
                long sent = a.coherence.status().published();
                a.cache("products").put("x" + i, "v");
                awaitTrue(() -> a.coherence.status().published() > sent, "sending x" + i);
            }
            awaitTrue(() -> a.coherence.status().pending() == 0, "a sent everything");
            try (Instance b = Instance.open(bPool, redis, o -> o.maxLength(10), PmemCacheSettings.defaults())) {
                CoherenceStatus s = b.coherence.status();
                assertThat(s.resyncs()).isEqualTo(1);
                assertThat(s.lastResync()).contains("trimmed");
                assertThat(b.cache("products").get("kept?")).isNull();
            }
        }
    }

    @Test
    void redis_restarted_empty_makes_every_instance_resync() {
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis);
                Instance b = Instance.open(dir.resolve("b.pool"), redis)) {
            a.cache("products").put("p", "v");
            b.cache("products").put("p", "v");
            awaitTrue(
                    () -> a.coherence.status().applied() >= 1
                            && b.coherence.status().applied() >= 1,
                    "exchanged");
            b.cache("products").put("p", "v"); // b's copy again

            redis.kill();
            redis.restart(); // no persistence: empty, a new epoch

            awaitTrue(
                    () -> b.coherence.status().resyncs() >= 1
                            && a.coherence.status().resyncs() >= 1,
                    "both resynced");
            assertThat(b.cache("products").get("p")).isNull();
            assertThat(b.coherence.status().lastResync()).contains("epoch");
            awaitTrue(() -> b.coherence.status().state() == CoherenceStatus.State.UP, "b up again");

            a.cache("products").put("p2", "after");
            b.cache("products").put("p2", "stale");
            a.cache("products").evict("p2");
            awaitTrue(() -> b.cache("products").get("p2") == null, "changes flow again after the resync");
        }
    }

    @Test
    void changes_made_while_redis_is_away_are_sent_when_it_is_back() {
        redis.close();
        redis = RedisServer.start(dir.resolve("redis-aof"), true);
        try (Instance a = Instance.open(dir.resolve("a.pool"), redis);
                Instance b = Instance.open(dir.resolve("b.pool"), redis)) {
            for (int i = 0; i < 20; i++) {
                b.cache("products").put("p" + i, "v");
            }
            awaitTrue(() -> a.coherence.status().applied() >= 20, "a saw b's puts");
            for (int i = 0; i < 20; i++) {
                b.cache("products").put("p" + i, "v"); // b holds copies of a's... of the shared keys
            }

            redis.stop();
            for (int i = 0; i < 20; i += 2) {
                a.cache("products").evict("p" + i); // never fails, never waits
            }
            awaitTrue(() -> a.coherence.status().state() == CoherenceStatus.State.DEGRADED, "a degraded");
            assertThat(a.coherence.status().pending()).isGreaterThanOrEqualTo(10);
            assertThat(b.cache("products").get("p0")).as("b cannot know yet").isNotNull();

            redis.restart(); // with its AOF: same epoch, same stream

            awaitTrue(() -> b.cache("products").get("p0") == null, "b dropped p0 once Redis was back");
            for (int i = 0; i < 20; i++) {
                assertThat(b.cache("products").get("p" + i) == null)
                        .as("p%d", i)
                        .isEqualTo(i % 2 == 0);
            }
            awaitTrue(() -> a.coherence.status().state() == CoherenceStatus.State.UP, "a up again");
            awaitTrue(() -> a.coherence.status().pending() == 0, "a's evictions all acknowledged");
            assertThat(b.coherence.status().resyncs()).isZero();
        }
    }

    @Test
    void too_many_unsent_changes_clear_the_cache_on_the_peers() {
        try (Instance a = Instance.open(
                        dir.resolve("a.pool"), redis, o -> o.outboxCapacity(5), PmemCacheSettings.defaults());
                Instance b = Instance.open(dir.resolve("b.pool"), redis)) {
            b.cache("products").put("keep-me?", "v");
            awaitTrue(() -> a.coherence.status().applied() >= 1, "a saw b's put");
            b.cache("products").put("keep-me?", "v");

            redis.stop();
            for (int i = 0; i < 50; i++) {
                a.cache("products").evict("e" + i);
            }
            // what waits (the capacity and one clear), and at most one such batch in flight (OutboxTest: exact bound)
            assertThat(a.coherence.status().pending()).isLessThanOrEqualTo(2 * (5 + 1));
            assertThat(a.coherence.status().forcedClears()).isPositive();
            redis.restart();

            awaitTrue(() -> b.cache("products").estimatedSize() == 0, "b cleared products");
        }
    }

    private static StreamClient.StreamState stateOf(Instance instance, StreamClient stream) {
        try (RedisConnection c = instance.redis.getConnection()) {
            return stream.state(c);
        }
    }

    record SkuKey(String shelf, int number) implements java.io.Serializable {}

    static void sleep(Duration time) {
        try {
            Thread.sleep(time);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
