package dev.pmemspring.cache.redis.internal;

import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.cache.CoherentCaches;
import dev.pmemspring.core.PmemMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Applies what other instances changed, on a thread of its own: reads the stream from this pool's
 * position (blocking reads on a connection of their own), drops the named keys or clears the named
 * caches, and then stores the position in the pool. Stored after: a crash in between applies the
 * same entries again, which changes nothing (dropping a key twice is dropping it once).
 *
 * <p>On start and every second while reading it checks that the stream can still be replayed from
 * the position: the epoch marker is unchanged (Redis did not lose its data) and nothing after the
 * position was trimmed. When it cannot be, every cache is cleared (a resync) and reading goes on
 * from the stream's end as read before the clear: the entries up to there are covered by it.
 */
public final class Follower {

    private static final Log LOG = LogFactory.getLog(Follower.class);
    private static final int BATCH = 1000;
    private static final long CHECK_INTERVAL_MILLIS = 1000;
    private static final long MIN_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 5000;

    private final RedisConnectionFactory connections;
    private final StreamClient stream;
    private final byte[] origin;
    private final Duration block;
    private final LongAdder applied = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder forcedClears = new LongAdder();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile @Nullable CoherentCaches caches;
    private volatile @Nullable PmemMap records;
    private volatile @Nullable Position position;
    private volatile @Nullable Thread thread;
    private volatile boolean running;
    private volatile @Nullable String failure;
    private volatile long lastReadAt;
    private volatile double lagMillis = -1;
    private volatile @Nullable String lastResync;
    private volatile LongConsumer lagObserver = lag -> {};

    public Follower(RedisConnectionFactory connections, StreamClient stream, byte[] origin, Duration block) {
        this.connections = connections;
        this.stream = stream;
        this.origin = origin.clone();
        this.block = block;
    }

    public void start(CoherentCaches caches, PmemMap records) {
        this.caches = caches;
        this.records = records;
        this.position = PoolRecords.parsePosition(records.get(PoolRecords.positionKey(stream.stream())));
        running = true;
        thread = Thread.ofPlatform().daemon().name("pmem-coherence-follower").start(this::run);
    }

    /** Waits until the entries written before the start are applied; false if {@code timeout} passed first. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        long pause = MIN_PAUSE_MILLIS;
        while (running) {
            try (RedisConnection connection = connections.getConnection()) {
                StreamId head = check(connection);
                while (running && head.isAfter(position.id())) { // catch up without blocking
                    List<ByteRecord> records = stream.read(connection, position.id(), BATCH, Duration.ZERO);
                    if (records.isEmpty()) {
                        break;
                    }
                    apply(records);
                }
                caughtUp.countDown();
                recovered();
                pause = MIN_PAUSE_MILLIS;
                long checkedAt = System.currentTimeMillis();
                while (running) {
                    List<ByteRecord> records = stream.read(connection, position.id(), BATCH, block);
                    lastReadAt = System.currentTimeMillis();
                    if (!records.isEmpty()) {
                        apply(records);
                    }
                    if (records.size() >= BATCH || lastReadAt - checkedAt >= CHECK_INTERVAL_MILLIS) {
                        check(connection);
                        checkedAt = System.currentTimeMillis();
                    }
                }
            } catch (PoolStoppedException e) {
                // Not Redis: the pool takes no changes until it is reopened, and its caches answer
                // every read with a miss meanwhile, so there is nothing left to invalidate.
                failure = "the pool stopped taking changes: " + e.getMessage();
                LOG.error("coherence: " + failure + "; this instance stops following the stream until it restarts");
                running = false;
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                String reason = "cannot read stream " + stream.stream() + ": " + e.getMessage();
                if (failure == null) {
                    LOG.warn("coherence: " + reason + "; the caches keep serving, changes made elsewhere arrive when"
                            + " Redis answers again");
                }
                failure = reason;
                sleep(pause);
                pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
            }
        }
    }

    private void recovered() {
        lastReadAt = System.currentTimeMillis();
        if (failure != null) {
            LOG.info("coherence: reading stream " + stream.stream() + " again from " + position.id());
            failure = null;
        }
    }

    /**
     * Checks that the stream can be replayed from the position, resyncing if not; returns the
     * stream's last id as read before any clear.
     */
    private StreamId check(RedisConnection connection) {
        String epoch = stream.epoch(connection);
        StreamClient.StreamState state = stream.state(connection);
        Position at = position;
        String reason = null;
        if (at == null) {
            // a new pool, or coherence newly switched on: what the caches hold predates the stream
            List<String> held = caches.clearAll();
            if (!held.isEmpty()) {
                resynced(
                        "this pool has no position in stream " + stream.stream()
                                + " (coherence newly switched on for it)",
                        held);
            }
        } else if (!at.epoch().equals(epoch)) {
            reason = "Redis no longer holds the stream this pool followed (its epoch marker changed: Redis restarted"
                    + " without persistence, failed over, or the keys were deleted)";
        } else if (at.id().isAfter(state.lastGenerated())) {
            reason = "the stream ends at " + state.lastGenerated() + ", before this pool's position " + at.id()
                    + " (Redis restarted from older data)";
        } else if (state.trimmedPast(at.id())) {
            reason = "the stream was trimmed past this pool's position " + at.id()
                    + " (away longer than pmem.cache.coherence.max-length entries)";
        } else {
            return state.lastGenerated();
        }
        if (reason != null) {
            resynced(reason, caches.clearAll());
        }
        store(new Position(epoch, state.lastGenerated()));
        return state.lastGenerated();
    }

    private void resynced(String reason, List<String> cleared) {
        // The reason before the count: whoever sees the count then finds its reason (status, health).
        lastResync = reason + " at " + Instant.now();
        forcedClears.add(cleared.size());
        resyncs.increment();
        LOG.warn("coherence: " + reason + "; cleared caches " + cleared + " so that none serves a value changed"
                + " elsewhere meanwhile, and follow the stream from its end");
    }

    private void apply(List<ByteRecord> entries) {
        StreamId last = position.id();
        for (ByteRecord record : entries) {
            StreamEntryFormat.Entry entry = StreamEntryFormat.decode(record.getValue());
            if (entry != null) {
                if (Arrays.equals(entry.origin(), origin)) {
                    skipped.add(entry.changes().size());
                } else {
                    for (StreamEntryFormat.TimedChange t : entry.changes()) {
                        t.change().applyTo(caches);
                        applied.increment();
                        long lag = Math.max(0, System.currentTimeMillis() - t.writtenAt());
                        lagMillis = lag;
                        lagObserver.accept(lag);
                    }
                }
            }
            last = StreamId.parse(record.getId().getValue());
        }
        store(new Position(position.epoch(), last)); // after applying: see the class comment
    }

    private void store(Position next) {
        records.put(PoolRecords.positionKey(stream.stream()), PoolRecords.positionValue(next));
        position = next;
    }

    /**
     * Waits up to {@code timeout} until the entries up to {@code id} are read (at shutdown, for this
     * process's own last entry: a restart then does not take them for a peer's). False if not.
     */
    public boolean awaitPast(StreamId id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running && failure == null && System.nanoTime() < deadline) {
            Position at = position;
            if (at != null && !id.isAfter(at.id())) {
                return true;
            }
            sleep(5);
        }
        return false;
    }

    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void observeLag(LongConsumer observer) {
        this.lagObserver = observer;
    }

    public long applied() {
        return applied.sum();
    }

    public long skipped() {
        return skipped.sum();
    }

    public long resyncs() {
        return resyncs.sum();
    }

    public long forcedClears() {
        return forcedClears.sum();
    }

    public double lagMillis() {
        return lagMillis;
    }

    public @Nullable String lastResync() {
        return lastResync;
    }

    public @Nullable String failure() {
        return failure;
    }

    public long lastReadAt() {
        return lastReadAt;
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    public @Nullable Position position() {
        return position;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
