package dev.pmemspring.cache.redis;

import dev.pmemspring.cache.CacheCoherence;
import dev.pmemspring.cache.CoherenceStatus;
import dev.pmemspring.cache.CoherentCaches;
import dev.pmemspring.cache.redis.internal.Follower;
import dev.pmemspring.cache.redis.internal.Outbox;
import dev.pmemspring.cache.redis.internal.PoolRecords;
import dev.pmemspring.cache.redis.internal.Position;
import dev.pmemspring.cache.redis.internal.Publisher;
import dev.pmemspring.cache.redis.internal.StreamClient;
import dev.pmemspring.cache.redis.internal.StreamId;
import dev.pmemspring.core.PmemMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * Keeps the pmem caches of several service instances coherent over a Redis Stream: each
 * instance appends its writes (keys put or evicted, caches cleared) to the stream, and drops what
 * the others wrote from its own pool and heap tier. The position it has applied is kept in its
 * pool, so a restarted instance replays only what changed while it was away and keeps every
 * other entry warm; when that cannot be replayed (the stream was trimmed past it, or Redis lost
 * its data), it clears its caches instead: a resync.
 *
 * <pre>{@code
 * RedisCacheCoherence coherence = RedisCacheCoherence.builder(redisConnectionFactory)
 *         .stream("pmem:coherence:quotes")
 *         .build();
 * PmemCacheManager caches = PmemCacheManager.builder(pool).coherence(coherence).build();
 * ...
 * coherence.close();   // before the pool: the last changes are sent, or kept in the pool
 * }</pre>
 *
 * <p>Writes never wait for Redis: each is recorded in the pool before it happens and sent from
 * there by a thread of its own, so a {@code kill -9} or Redis being away loses none (they are sent
 * when Redis answers, or at the next start). Guarantees and limits are in {@code docs/coherence.md}:
 * changes reach the other instances within a lag of milliseconds while all are up; a read there
 * during the lag may still see the old value (no linearizability).
 */
public final class RedisCacheCoherence implements CacheCoherence, AutoCloseable {

    private static final Log LOG = LogFactory.getLog(RedisCacheCoherence.class);
    /** Unsent changes older than this make the status degraded. */
    private static final long STALE_MILLIS = 5000;

    private final StreamClient stream;
    private final int outboxCapacity;
    private final Duration catchUpTimeout;
    private final Duration block;
    private final byte[] origin;
    private final Publisher publisher;
    private final Follower follower;
    private volatile @Nullable Outbox outbox;
    private volatile boolean closed;
    private volatile long startedAt;

    private RedisCacheCoherence(Builder b) {
        this.stream = new StreamClient(b.stream, b.maxLength);
        this.outboxCapacity = b.outboxCapacity;
        this.catchUpTimeout = b.catchUpTimeout;
        this.block = b.readBlock;
        UUID id = UUID.randomUUID();
        this.origin = ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
        this.publisher = new Publisher(b.connections, stream, origin);
        this.follower = new Follower(b.connections, stream, origin, block);
    }

    /** A builder over Spring Data Redis's connections (Boot's auto-configured factory, for example). */
    public static Builder builder(RedisConnectionFactory connections) {
        return new Builder(connections);
    }

    /**
     * Reads back the changes a previous process left unsent, starts sending and following the
     * stream, and waits up to the catch-up timeout until what changed elsewhere since this pool's
     * position is applied. If Redis does not answer in time the caches serve anyway (the status
     * says degraded) and catch up when it does.
     */
    @Override
    public synchronized void start(CoherentCaches caches) {
        if (outbox != null) {
            throw new IllegalStateException("this coherence is started already: give each cache manager its own");
        }
        if (closed) {
            throw new IllegalStateException("this coherence is closed");
        }
        startedAt = System.currentTimeMillis();
        PmemMap records = caches.pool().map(PoolRecords.MAP_NAME);
        Outbox box = new Outbox(records, outboxCapacity, publisher::wake);
        if (!box.isEmpty()) {
            LOG.info("coherence: " + box.size() + " changes a previous process could not send are sent now");
            // A change is recorded before it is made, so the previous process may have died between
            // the two, leaving here the value the change replaced: drop those keys here as well.
            box.waiting().forEach(change -> change.applyTo(caches));
        }
        outbox = box;
        publisher.start(box);
        follower.start(caches, records);
        try {
            if (!follower.awaitCaughtUp(catchUpTimeout)) {
                LOG.warn("coherence: not caught up with stream " + stream.stream() + " within " + catchUpTimeout
                        + (follower.failure() != null ? " (" + follower.failure() + ")" : "")
                        + "; the caches serve from the pool meanwhile, and values changed elsewhere since this"
                        + " instance last ran may be served until it catches up");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void keyChanged(String cache, byte[] key) {
        outbox().keyChanged(cache, key);
    }

    @Override
    public void cacheCleared(String cache) {
        outbox().cacheCleared(cache);
    }

    private Outbox outbox() {
        Outbox box = outbox;
        if (box == null) {
            throw new IllegalStateException("coherence not started: build the cache manager with it first");
        }
        return box;
    }

    @Override
    public CoherenceStatus status() {
        Outbox box = outbox;
        Position at = follower.position();
        long now = System.currentTimeMillis();
        CoherenceStatus.State state;
        String reason = null;
        if (closed) {
            state = CoherenceStatus.State.STOPPED;
        } else if (box == null) {
            state = CoherenceStatus.State.STARTING;
            reason = "not started";
        } else {
            List<String> reasons = new ArrayList<>();
            if (follower.failure() != null) {
                reasons.add(follower.failure());
            } else if (follower.caughtUp() && now - follower.lastReadAt() > 3 * block.toMillis() + 2000) {
                reasons.add("no answer from Redis on stream " + stream.stream() + " for "
                        + (now - follower.lastReadAt()) + " ms");
            }
            if (publisher.failure() != null) {
                reasons.add(publisher.failure());
            }
            long oldest = box.oldestWrittenAt();
            if (oldest != 0 && now - oldest > STALE_MILLIS) {
                reasons.add(box.size() + " changes waiting to be sent for " + (now - oldest) + " ms");
            }
            if (!reasons.isEmpty()) {
                state = CoherenceStatus.State.DEGRADED;
                reason = String.join("; ", reasons);
            } else if (!follower.caughtUp()) {
                state = now - startedAt < catchUpTimeout.toMillis()
                        ? CoherenceStatus.State.STARTING
                        : CoherenceStatus.State.DEGRADED;
                reason = "catching up with stream " + stream.stream();
            } else {
                state = CoherenceStatus.State.UP;
            }
        }
        return new CoherenceStatus(
                state,
                reason,
                stream.stream(),
                at == null ? null : at.id().toString(),
                box == null ? 0 : box.pending(),
                publisher.published(),
                follower.applied(),
                follower.skipped(),
                follower.resyncs(),
                follower.forcedClears() + (box == null ? 0 : box.forcedClears()),
                follower.lagMillis(),
                follower.lastResync());
    }

    /** Calls {@code observer} with the lag of every change applied here, in milliseconds (for meters). */
    public void observeLag(LongConsumer observer) {
        follower.observeLag(Objects.requireNonNull(observer, "observer"));
    }

    /** The stream's key. */
    public String stream() {
        return stream.stream();
    }

    /**
     * Stops following and sending; what waits is sent for up to two seconds more, and whatever
     * Redis has not acknowledged by then stays in the pool for the next start. Close it before the
     * pool.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        publisher.stop();
        publisher.drain(Duration.ofSeconds(2));
        // Read past this process's own last entry before stopping: the next process has a new origin
        // and would apply these entries as a peer's, dropping keys it holds current (misses, not harm).
        StreamId last = publisher.lastSentId();
        if (last != null) {
            follower.awaitPast(last, Duration.ofSeconds(2));
        }
        follower.stop();
    }

    @Override
    public String toString() {
        return "RedisCacheCoherence[" + stream.stream() + "]";
    }

    /** Builds a {@link RedisCacheCoherence}; see there for an example. */
    public static final class Builder {
        private final RedisConnectionFactory connections;
        private String stream = "pmem:coherence";
        private long maxLength = 1_000_000;
        private int outboxCapacity = 100_000;
        private Duration catchUpTimeout = Duration.ofSeconds(5);
        private Duration readBlock = Duration.ofSeconds(1);

        private Builder(RedisConnectionFactory connections) {
            this.connections = Objects.requireNonNull(connections, "connections");
        }

        /** The stream's key, shared by every instance whose caches must agree; {@code pmem:coherence} by default. */
        public Builder stream(String stream) {
            if (Objects.requireNonNull(stream, "stream").isBlank()) {
                throw new IllegalArgumentException("a stream key must not be blank");
            }
            this.stream = stream;
            return this;
        }

        /**
         * About how many entries the stream keeps (XADD MAXLEN ~); an instance away for longer
         * than that many entries resyncs. 1,000,000 by default.
         */
        public Builder maxLength(long maxLength) {
            if (maxLength < 1) {
                throw new IllegalArgumentException("the stream's maximum length must be at least 1");
            }
            this.maxLength = maxLength;
            return this;
        }

        /**
         * How many changed keys may wait unsent (Redis away) before further changes clear their
         * caches on the other instances instead; 100,000 by default.
         */
        public Builder outboxCapacity(int outboxCapacity) {
            if (outboxCapacity < 1) {
                throw new IllegalArgumentException("the outbox capacity must be at least 1");
            }
            this.outboxCapacity = outboxCapacity;
            return this;
        }

        /** How long starting waits to catch up with changes made elsewhere; 5 seconds by default. */
        public Builder catchUpTimeout(Duration catchUpTimeout) {
            if (Objects.requireNonNull(catchUpTimeout, "catchUpTimeout").isNegative()) {
                throw new IllegalArgumentException("the catch-up timeout must not be negative");
            }
            this.catchUpTimeout = catchUpTimeout;
            return this;
        }

        /**
         * How long one blocking read waits for new entries (it returns as soon as one arrives; this
         * only bounds how soon a dead connection is noticed); 1 second by default. Keep it below
         * the client's command timeout.
         */
        public Builder readBlock(Duration readBlock) {
            if (Objects.requireNonNull(readBlock, "readBlock").isNegative() || readBlock.isZero()) {
                throw new IllegalArgumentException("the read block must be positive");
            }
            this.readBlock = readBlock;
            return this;
        }

        public RedisCacheCoherence build() {
            return new RedisCacheCoherence(this);
        }
    }
}
