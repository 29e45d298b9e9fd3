package dev.pmemspring.cache.redis.internal;

import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Local changes not yet acknowledged by Redis, kept in the pool ({@link PoolRecords}) from just
 * before each change until it has been sent, so that neither {@code kill -9} nor Redis being away
 * loses one.
 *
 * <p>A change is recorded on the writing thread, in the pool, before the cache changes (the
 * manager reports it first). Changes coalesce: a key already waiting, or a cache whose clear is
 * waiting, records nothing new. That is safe because a waiting change is sent only after it is
 * taken, and it is taken after this report (which came after whatever the writer changed in the
 * back end): the peers drop their copies after that, so their next load sees the new state. The
 * publisher takes a change out of memory before it sends it, so a report that comes while it is
 * in flight records it again, and the pool record is removed only if it still holds the value
 * that was sent.
 *
 * <p>Bounded: past {@code capacity} waiting keys, a change of cache C records "clear C" instead
 * (the peers will clear C: a forced clear). A waiting clear of C absorbs C's waiting keys, so the
 * outbox never holds more than the capacity plus one clear per cache, and a batch that could not
 * be sent comes back under the same bound.
 */
public final class Outbox {

    private static final Log LOG = LogFactory.getLog(Outbox.class);

    /** Longest key sent as itself; a change of a longer one clears its cache on the peers. */
    public static final int MAX_KEY_BYTES = 8192;

    /** A change waiting to be sent: its place in this process's order, its time, and whether its record is in the pool. */
    public static final class Pending {
        final long sequence;
        final long writtenAt;
        volatile boolean durable;

        Pending(long sequence, long writtenAt, boolean durable) {
            this.sequence = sequence;
            this.writtenAt = writtenAt;
            this.durable = durable;
        }

        byte[] value() {
            return PoolRecords.pendingValue(sequence, writtenAt);
        }
    }

    /** A change taken to be sent. */
    public record Taken(Change change, Pending pending) {
        public long writtenAt() {
            return pending.writtenAt;
        }
    }

    private final PmemMap records;
    private final int capacity;
    private final Runnable wake;
    private final ConcurrentHashMap<Change, Pending> keys = new ConcurrentHashMap<>();
    /** Changes taken to be sent and neither acknowledged nor put back yet. */
    private final AtomicLong taken = new AtomicLong();

    private final ConcurrentHashMap<String, Pending> clears = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder forcedClears = new LongAdder();
    private final AtomicBoolean overflowLogged = new AtomicBoolean();
    private final AtomicBoolean unrecordedLogged = new AtomicBoolean();

    /**
     * Reads back what a previous process left unsent.
     *
     * @param wake called when a change starts waiting
     */
    public Outbox(PmemMap records, int capacity, Runnable wake) {
        this.records = records;
        this.capacity = capacity;
        this.wake = wake;
        long last = 0;
        for (PmemMap.Entry e : records) {
            if (!PoolRecords.isChange(e.key())) {
                continue;
            }
            Change change = PoolRecords.parseChange(e.key());
            long seq = PoolRecords.pendingSequence(e.value());
            if (change == null || seq < 0) {
                records.remove(e.key(), e.value()); // not a record this version wrote: never sendable
                continue;
            }
            Pending p = new Pending(seq, PoolRecords.pendingWrittenAt(e.value()), true);
            if (change.kind() == Change.Kind.CLEAR) {
                clears.put(change.cache(), p);
            } else {
                keys.put(change, p);
            }
            last = Math.max(last, seq);
        }
        sequence.set(last);
    }

    /** Key {@code key} of {@code cache} is about to change here. */
    public void keyChanged(String cache, byte[] key) {
        if (!clears.isEmpty() && coveredByClear(cache)) {
            return;
        }
        if (key.length > MAX_KEY_BYTES) {
            cacheCleared(cache);
            return;
        }
        Change change = Change.key(cache, key);
        Pending waiting = keys.get(change);
        if (waiting == null) {
            if (keys.size() >= capacity) {
                overflow(cache);
                return;
            }
            Pending mine = new Pending(sequence.incrementAndGet(), System.currentTimeMillis(), false);
            waiting = keys.putIfAbsent(change, mine);
            if (waiting == null) {
                record(change, mine);
                wake.run();
                return;
            }
        }
        if (!waiting.durable) {
            record(change, waiting); // another thread is recording it: ours must not wait on theirs
        }
    }

    /** {@code cache} is about to be cleared here. */
    public void cacheCleared(String cache) {
        if (coveredByClear(cache)) {
            return;
        }
        Pending mine = new Pending(sequence.incrementAndGet(), System.currentTimeMillis(), false);
        Pending waiting = clears.putIfAbsent(cache, mine);
        if (waiting == null) {
            record(Change.clear(cache), mine);
            dropKeysOf(cache);
            wake.run();
        } else if (!waiting.durable) {
            record(Change.clear(cache), waiting);
        }
    }

    /** Forgets the waiting keys of {@code cache}: called after its clear is durable, which covers them. */
    private void dropKeysOf(String cache) {
        for (Map.Entry<Change, Pending> e : keys.entrySet()) {
            if (e.getKey().cache().equals(cache) && keys.remove(e.getKey(), e.getValue())) {
                forget(e.getKey(), e.getValue());
            }
        }
    }

    private void forget(Change change, Pending pending) {
        try {
            records.remove(change.recordKey(), pending.value());
        } catch (PmemException | IllegalStateException e) {
            // the pool is closing: the record is sent after the next start, beside the clear (harmless)
        }
    }

    /** Whether a clear of {@code cache} waits (made durable here if it was not yet). */
    private boolean coveredByClear(String cache) {
        Pending waiting = clears.get(cache);
        if (waiting == null) {
            return false;
        }
        if (!waiting.durable) {
            record(Change.clear(cache), waiting);
        }
        return true;
    }

    private void overflow(String cache) {
        forcedClears.increment();
        if (overflowLogged.compareAndSet(false, true)) {
            LOG.warn("coherence: more than " + capacity + " changes are waiting to be sent (is Redis away?); changes"
                    + " of cache '" + cache + "' and others past that will clear those caches on the other instances"
                    + " instead (pmem.cache.coherence.outbox-capacity)");
        }
        cacheCleared(cache);
    }

    /** Writes the record of {@code change} to the pool (durable once the map put returns). */
    private void record(Change change, Pending pending) {
        try {
            records.put(change.recordKey(), pending.value());
        } catch (PmemException | IllegalStateException e) {
            // the pool is full, closing or stopped: the change is still sent from memory, but a crash before
            // that would lose it
            if (unrecordedLogged.compareAndSet(false, true)) {
                LOG.warn("coherence: a change could not be recorded in the pool (" + e.getMessage() + "); it will be"
                        + " sent, but would be lost if this process died first");
            }
        }
        pending.durable = true;
    }

    /** Takes up to {@code maxChanges} recorded changes (about {@code maxBytes} in a stream entry) to send. */
    public List<Taken> take(int maxChanges, int maxBytes) {
        List<Taken> out = new ArrayList<>();
        int bytes = 0;
        for (Map.Entry<String, Pending> e : clears.entrySet()) {
            if (out.size() >= maxChanges || bytes >= maxBytes) {
                return out;
            }
            Pending p = e.getValue();
            if (p.durable && takeOne(() -> clears.remove(e.getKey(), p))) {
                Change change = Change.clear(e.getKey());
                out.add(new Taken(change, p));
                bytes += StreamEntryFormat.size(change);
            }
        }
        for (Map.Entry<Change, Pending> e : keys.entrySet()) {
            if (out.size() >= maxChanges || bytes >= maxBytes) {
                return out;
            }
            Pending p = e.getValue();
            if (p.durable && takeOne(() -> keys.remove(e.getKey(), p))) {
                out.add(new Taken(e.getKey(), p));
                bytes += StreamEntryFormat.size(e.getKey());
            }
        }
        return out;
    }

    /**
     * Counts a change as taken before it leaves the waiting ones, so that {@link #pending()} never
     * misses it while it moves (it may count it twice for that moment).
     */
    private boolean takeOne(BooleanSupplier remove) {
        taken.incrementAndGet();
        if (remove.getAsBoolean()) {
            return true;
        }
        taken.decrementAndGet();
        return false;
    }

    /** Redis acknowledged {@code sent}: their records go, unless a newer change of the same key replaced them. */
    public void sent(List<Taken> sent) {
        taken.addAndGet(-sent.size());
        for (Taken t : sent) {
            try {
                records.remove(t.change().recordKey(), t.pending().value());
            } catch (PmemException | IllegalStateException e) {
                return; // the pool is closing: the records are sent again after the next start (harmless)
            }
        }
    }

    /** {@code back} could not be sent: they wait again, unless a newer change of the same key already does. */
    public void putBack(List<Taken> back) {
        for (Taken t : back) {
            Change change = t.change();
            if (change.kind() == Change.Kind.CLEAR) {
                if (clears.putIfAbsent(change.cache(), t.pending()) == null) {
                    dropKeysOf(change.cache());
                } else {
                    forget(change, t.pending());
                }
            } else if (coveredByClear(change.cache())) {
                forget(change, t.pending());
            } else if (!keys.containsKey(change) && keys.size() >= capacity) {
                overflow(change.cache()); // its clear is durable once this returns: the key's record may go
                forget(change, t.pending());
            } else if (keys.putIfAbsent(change, t.pending()) != null) {
                forget(change, t.pending()); // a newer change of the key waits with its own record
            }
        }
        this.taken.addAndGet(-back.size()); // after they wait again: pending() counts them throughout
    }

    /** The changes waiting now (taken ones not included). */
    public List<Change> waiting() {
        List<Change> out = new ArrayList<>(clears.size() + keys.size());
        for (String cache : clears.keySet()) {
            out.add(Change.clear(cache));
        }
        out.addAll(keys.keySet());
        return out;
    }

    /** Changes waiting (taken ones not counted). */
    /** Changes waiting to be taken. */
    public long size() {
        return keys.mappingCount() + clears.mappingCount();
    }

    /** Changes not yet acknowledged by Redis: those waiting and those taken to be sent. */
    public long pending() {
        return size() + taken.get();
    }

    public boolean isEmpty() {
        return keys.isEmpty() && clears.isEmpty();
    }

    /** The earliest write time among waiting changes, or 0 if none wait. */
    public long oldestWrittenAt() {
        long oldest = 0;
        for (Pending p : clears.values()) {
            oldest = oldest == 0 ? p.writtenAt : Math.min(oldest, p.writtenAt);
        }
        for (Pending p : keys.values()) {
            oldest = oldest == 0 ? p.writtenAt : Math.min(oldest, p.writtenAt);
        }
        return oldest;
    }

    /** Clears recorded because the outbox was full. */
    public long forcedClears() {
        return forcedClears.sum();
    }
}
