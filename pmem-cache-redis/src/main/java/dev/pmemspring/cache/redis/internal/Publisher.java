package dev.pmemspring.cache.redis.internal;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends the outbox to the stream on a thread of its own: takes what waits, appends it as one
 * entry, and only when Redis acknowledged the entry removes the records from the pool. While an
 * append is in flight new changes gather, so a quiet service sends each change at once; once
 * batches reach {@value #BUSY_BATCH} changes, the publisher also waits {@value #LINGER_MICROS} µs
 * after each append (unless a full entry waits), so a busy service sends at most about a thousand
 * entries a second however fast it writes, and each pays that much more lag. On failure the
 * changes wait again and the publisher retries with a growing pause (up to 5 s); no writer ever
 * waits for it.
 */
public final class Publisher {

    private static final Log LOG = LogFactory.getLog(Publisher.class);
    /** Changes in one stream entry, and about the bytes they take. */
    static final int MAX_CHANGES = 1000;

    static final int MAX_BYTES = 256 * 1024;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long LINGER_MICROS = 1000;
    /** A batch this large means changes come faster than appends return: worth gathering more. */
    static final int BUSY_BATCH = 32;

    private static final long MIN_PAUSE_MILLIS = 50;
    private static final long MAX_PAUSE_MILLIS = 5000;

    private final RedisConnectionFactory connections;
    private final StreamClient stream;
    private final byte[] origin;
    private final LongAdder published = new LongAdder();
    private volatile @Nullable Outbox outbox;
    private volatile @Nullable Thread thread;
    private volatile boolean running;
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private volatile @Nullable String failure;
    private volatile long lastSentAt;
    private volatile @Nullable StreamId lastSentId;

    public Publisher(RedisConnectionFactory connections, StreamClient stream, byte[] origin) {
        this.connections = connections;
        this.stream = stream;
        this.origin = origin.clone();
    }

    public void start(Outbox outbox) {
        this.outbox = outbox;
        running = true;
        thread = Thread.ofPlatform().daemon().name("pmem-coherence-publisher").start(this::run);
    }

    /** A change started waiting: wake the thread if it sleeps (cheap when it does not). */
    public void wake() {
        Thread t = thread;
        // only the writer that finds it asleep pays for the wake-up
        if (t != null && sleeping.get() && sleeping.compareAndSet(true, false)) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        Outbox box = outbox;
        long pause = MIN_PAUSE_MILLIS;
        while (running) {
            List<Outbox.Taken> batch = box.take(MAX_CHANGES, MAX_BYTES);
            if (batch.isEmpty()) {
                sleeping.set(true);
                if (running && box.isEmpty()) { // after 'sleeping' is set: a change recorded now wakes us
                    LockSupport.parkNanos(IDLE_NANOS);
                }
                sleeping.set(false);
                continue; // no linger after idling: a quiet service sends each change at once
            }
            if (send(box, batch)) {
                pause = MIN_PAUSE_MILLIS;
                if (batch.size() >= BUSY_BATCH) {
                    linger(box);
                }
            } else {
                sleep(pause);
                pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
            }
        }
    }

    /** Appends {@code batch} as one entry; on failure puts it back. Returns whether it was sent. */
    private boolean send(Outbox box, List<Outbox.Taken> batch) {
        List<StreamEntryFormat.TimedChange> changes = new ArrayList<>(batch.size());
        for (Outbox.Taken t : batch) {
            changes.add(new StreamEntryFormat.TimedChange(t.change(), t.writtenAt()));
        }
        try (RedisConnection connection = connections.getConnection()) {
            lastSentId = stream.append(connection, StreamEntryFormat.encode(origin, changes));
        } catch (RuntimeException e) {
            box.putBack(batch);
            String reason = "cannot send to stream " + stream.stream() + ": " + e.getMessage();
            if (failure == null) {
                LOG.warn("coherence: " + reason + "; changes wait in the pool and are sent when Redis answers again");
            }
            failure = reason;
            return false;
        }
        box.sent(batch);
        published.add(batch.size());
        lastSentAt = System.currentTimeMillis();
        if (failure != null) {
            LOG.info("coherence: sending to stream " + stream.stream() + " again");
            failure = null;
        }
        return true;
    }

    /** Lets changes gather before the next append, unless a full entry's worth waits already. */
    private void linger(Outbox box) {
        if (running && box.size() < MAX_CHANGES) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(LINGER_MICROS));
        }
    }

    /** Sends what waits, trying until {@code timeout} has passed (at shutdown, after the thread stopped). */
    public void drain(Duration timeout) {
        Outbox box = outbox;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (box != null && !box.isEmpty() && System.nanoTime() < deadline) {
            if (!send(box, box.take(MAX_CHANGES, MAX_BYTES))) {
                return; // Redis is away: the rest stays in the pool for the next start
            }
        }
    }

    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public long published() {
        return published.sum();
    }

    /** Why the last send failed, or null if it did not. */
    public @Nullable String failure() {
        return failure;
    }

    /** The id of the last entry this process appended, or null before the first. */
    public @Nullable StreamId lastSentId() {
        return lastSentId;
    }

    public long lastSentAt() {
        return lastSentAt;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
