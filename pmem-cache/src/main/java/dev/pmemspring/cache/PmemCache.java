package dev.pmemspring.cache;

import dev.pmemspring.cache.internal.HeapTier;
import dev.pmemspring.cache.internal.KeyDecoder;
import dev.pmemspring.cache.internal.KeyEncoder;
import dev.pmemspring.cache.internal.ReadBuffers;
import dev.pmemspring.cache.internal.SingleFlight;
import dev.pmemspring.cache.internal.ValueEncoding;
import dev.pmemspring.cache.internal.WriteStamps;
import dev.pmemspring.core.MapStats;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PoolCorruptedException;
import dev.pmemspring.core.PoolOutOfMemoryException;
import dev.pmemspring.core.PoolStoppedException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A Spring {@link org.springframework.cache.Cache} whose entries live in a pool, so they survive
 * restarts and crashes. Get one from {@link PmemCacheManager}.
 *
 * <p>Keys and values are stored as bytes (see {@link ValueSerializer}); each entry carries its
 * deadline as wall-clock time and a checksum. Reads never fail the caller: a value that no longer
 * deserializes, or an entry the pool finds damaged, is a miss and is removed. Writes never fail
 * for want of room: a full pool evicts; a value over the size limit is not cached (both counted).
 * They do fail, with a message, for a value that cannot be serialized at all.
 *
 * <p>With a heap tier, hot values are also held deserialized in the JVM heap, kept consistent with
 * the pool on every put, evict and clear.
 *
 * <p>A loaded value ({@code get(key, loader)}, {@code retrieve(key, loader)}, or a put right after a
 * miss of the same key on the same thread, as {@code @Cacheable} does) is stored only if the key
 * was not written or invalidated while it loaded: such a value may predate the change, and must
 * not outlive it. With a {@link CacheCoherence}, every other write is reported to it before it
 * reaches the pool.
 *
 * <p>Longer than most files here because Spring's {@code Cache} contract is wide (get, get with a
 * loader, retrieve, put, putIfAbsent, evict, clear, each with its counting), and every path keeps the
 * same ordering of pool, heap tier, write stamps and coherence; the mechanisms themselves live in
 * {@code internal}.
 */
public final class PmemCache extends AbstractValueAdaptingCache {

    private static final Log LOG = LogFactory.getLog(PmemCache.class);
    /**
     * Where reloads ahead of a deadline run: a virtual thread each, as a reload mostly waits for a
     * back end (the common fork-join pool has one thread on two cores, for the whole JVM).
     */
    private static final java.util.concurrent.ExecutorService REFRESHES =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("pmem-cache-refresh-", 0).factory());
    /** Rounds of evicting an eighth of the largest cache before a put gives up: 32 leave ~1.4%. */
    private static final int ROOM_ATTEMPTS = 32;

    private final String name;
    private final PmemMap map;
    private final PmemCacheSettings settings;
    private final ValueSerializer serializer;
    private final Supplier<ClassLoader> classLoader;
    private final BooleanSupplier poolRoom;
    private final @Nullable HeapTier heap;
    private final CacheCoherence coherence;
    private final WriteStamps stamps = new WriteStamps();
    /** The last miss this thread saw, so the put that follows it (a load) is stored only if still current. */
    private final ThreadLocal<@Nullable Miss> lastMiss = new ThreadLocal<>();

    private final SingleFlight loads = new SingleFlight();
    private final ConcurrentHashMap<Object, CompletableFuture<?>> asyncLoads = new ConcurrentHashMap<>();
    private final long idleMillis;
    private final long refreshMillis;
    /** The keys being reloaded ahead of their deadline: one reload per key at a time. */
    private final Set<Object> refreshing = ConcurrentHashMap.newKeySet();

    private final long expiredBaseline;
    private final long checksumBaseline;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder deserializationFailures = new LongAdder();
    private final LongAdder rejectedPuts = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder discardedLoads = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final AtomicBoolean refreshFailureLogged = new AtomicBoolean();
    private final AtomicBoolean oversizeLogged = new AtomicBoolean();
    private final AtomicBoolean deserializationLogged = new AtomicBoolean();
    private final AtomicBoolean noRoomLogged = new AtomicBoolean();
    private final AtomicBoolean damageLogged = new AtomicBoolean();
    private final AtomicBoolean stoppedLogged = new AtomicBoolean();
    private final BooleanSupplier poolStopped;

    /** A miss of {@code key} and the stamp of its stripe then: a load that follows stores only if it still holds. */
    private record Miss(Object key, int stripe, long stamp) {}

    PmemCache(
            String name,
            PmemMap map,
            PmemCacheSettings settings,
            Supplier<ClassLoader> classLoader,
            BooleanSupplier poolRoom,
            BooleanSupplier poolStopped,
            CacheCoherence coherence) {
        super(settings.nullValues());
        this.name = name;
        this.map = map;
        this.settings = settings;
        this.serializer = settings.serializer();
        this.classLoader = classLoader;
        this.poolRoom = poolRoom;
        this.poolStopped = poolStopped;
        this.coherence = coherence;
        this.idleMillis = settings.timeToIdle().toMillis();
        this.refreshMillis = settings.refreshAhead().toMillis();
        this.heap = settings.heapTierBytes() > 0
                ? HeapTier.ofBytes(settings.heapTierBytes(), stamps)
                : settings.heapTier() > 0 ? HeapTier.ofEntries(settings.heapTier(), stamps) : null;
        MapStats s = map.stats();
        this.expiredBaseline = s.expiredRemoved();
        this.checksumBaseline = s.checksumFailures();
    }

    @Override
    public String getName() {
        return name;
    }

    /** The pool map holding this cache's entries. */
    @Override
    public PmemMap getNativeCache() {
        return map;
    }

    public PmemCacheSettings settings() {
        return settings;
    }

    /** Entries in the pool, expired ones not yet removed included. */
    public long estimatedSize() {
        return map.size();
    }

    public PmemCacheStats stats() {
        MapStats s = map.stats();
        return new PmemCacheStats(
                hits.sum(),
                misses.sum(),
                puts.sum(),
                evictions.sum() + s.expiredRemoved() - expiredBaseline,
                removals.sum(),
                deserializationFailures.sum(),
                rejectedPuts.sum(),
                s.checksumFailures() - checksumBaseline,
                invalidations.sum(),
                discardedLoads.sum(),
                refreshes.sum(),
                s.entries(),
                s.bytes());
    }

    // ---------------------------------------------------------------- reads

    @Override
    protected @Nullable Object lookup(Object key) {
        Object found = findOrMiss(key);
        if (found instanceof Miss miss) {
            if (!poolStopped.getAsBoolean()) {
                // for the put that may follow (a load); none in a stopped pool, whose refused put
                // is still reported to the other instances as a change
                lastMiss.set(miss);
            }
            misses.increment();
            return null;
        }
        hits.increment();
        return found;
    }

    private @Nullable Object counted(@Nullable Object value) {
        if (value != null) {
            hits.increment();
        } else {
            misses.increment();
        }
        return value;
    }

    /**
     * The store value of {@code key} (NullValue for a cached null), or, when there is none, its
     * {@link Miss}; counts nothing. A miss carries the stamp of the key's stripe read before the pool
     * read that missed: a load that follows stores only if no write came after that read. With a
     * heap tier the stamp is read before every pool read, since a value read then enters the tier
     * on the same condition (see {@link HeapTier}); without one a hit needs no stamp, and a miss is
     * read again after the stamp.
     */
    private Object findOrMiss(Object key) {
        return findOrMiss(key, null);
    }

    /** As {@link #findOrMiss(Object)}; on a hit, {@code deadline[0]} is the entry's deadline (0: none). */
    private Object findOrMiss(Object key, long @Nullable [] deadline) {
        if (poolStopped.getAsBoolean()) {
            return stoppedMiss(key);
        }
        if (heap != null) {
            HeapTier.Node node = heap.get(key);
            if (node != null) {
                long moved = idleMillis == 0 ? 0 : movedDeadline(node.expiresAt(), node.limit());
                if (moved != 0) {
                    // read in the tier: the pool's deadline moves too, so it holds across a restart
                    if (map.setExpiry(KeyEncoder.encode(key), moved)) {
                        heap.replace(key, node, node.expiringAt(moved));
                    } else {
                        heap.remove(key, node); // the pool's entry went (expired or evicted)
                    }
                }
                if (deadline != null) {
                    deadline[0] = moved != 0 ? moved : node.expiresAt();
                }
                return node.value();
            }
        }
        byte[] k = KeyEncoder.encode(key);
        int stripe = -1;
        long stamp = 0;
        long epoch = 0;
        if (heap != null) {
            stripe = WriteStamps.stripe(k);
            stamp = stamps.read(stripe);
            epoch = stamps.epoch();
        }
        ValueEncoding.Decoded d = read(k);
        if (d == null && stripe < 0) {
            Runnable window = afterFirstMiss;
            if (window != null) {
                window.run();
            }
            // The stamp now, then the pool again: a write between the first read and the stamp
            // (one that put a value, perhaps before its source changed) is found by this read.
            stripe = WriteStamps.stripe(k);
            stamp = stamps.read(stripe);
            d = read(k);
        }
        if (d == null) {
            return new Miss(key, stripe, stamp);
        }
        long expiresAt = d.expiresAt();
        long moved = idleMillis == 0 ? 0 : movedDeadline(expiresAt, d.limit());
        if (moved != 0) {
            if (!map.setExpiry(k, moved)) {
                return d.value(); // the entry went since: served as read, not kept in the tier
            }
            expiresAt = moved;
        }
        if (deadline != null) {
            deadline[0] = expiresAt;
        }
        if (heap != null && heap.worthFilling(key)) {
            heap.fill(
                    key,
                    new HeapTier.Node(d.value(), expiresAt, d.limit(), epoch, k.length + d.storedSize()),
                    stripe,
                    stamp);
        }
        return d.value();
    }

    /**
     * Every read of a stopped pool's cache misses: puts and evictions are refused since (the pool
     * takes no changes), so what the pool and the heap tier hold may be older than the
     * application's last change of the key. The loads that follow run as without a cache.
     */
    private Miss stoppedMiss(Object key) {
        if (stoppedLogged.compareAndSet(false, true)) {
            LOG.error("cache '" + name + "': its pool stopped taking changes, so every read is a miss and every"
                    + " write is refused until the pool is reopened (restart the service); see the pool's health for"
                    + " the cause");
        }
        int stripe = WriteStamps.stripe(KeyEncoder.encode(key));
        return new Miss(key, stripe, stamps.read(stripe));
    }

    /**
     * With a time-to-idle, the deadline a read moves its entry to: now plus the idle time (never
     * past the entry's {@code limit}, its time-to-live deadline), once less than half the idle time
     * is left; 0 while more is left, so a hot entry is written about twice per idle time.
     */
    private long movedDeadline(long expiresAt, long limit) {
        long now = System.currentTimeMillis();
        if (expiresAt != 0 && expiresAt - now > idleMillis / 2) {
            return 0;
        }
        long next = now + idleMillis;
        if (limit != 0 && limit < next) {
            return limit > expiresAt ? limit : 0;
        }
        return next;
    }

    /** The store value of {@code key}, or null; counts nothing. */
    private @Nullable Object find(Object key) {
        Object found = findOrMiss(key);
        return found instanceof Miss ? null : found;
    }

    /** The miss this thread noted for {@code key} just before, if that was its last cache operation. */
    private @Nullable Miss takeMiss(@Nullable Object key) {
        Miss miss = lastMiss.get();
        if (miss == null) {
            return null;
        }
        lastMiss.set(null);
        return key != null && miss.key().equals(key) ? miss : null;
    }

    /** The decoded entry of {@code key} in the pool, or null. */
    private ValueEncoding.@Nullable Decoded read(byte[] key) {
        ReadBuffers.Lease lease = ReadBuffers.acquire(); // no array allocated per hit
        try {
            PmemMap.ReadBuffer buffer = lease.buffer();
            return map.get(key, buffer)
                    ? decodeOrDrop(key, buffer.array(), buffer.offset(), buffer.length(), buffer.expiresAt())
                    : null;
        } finally {
            lease.release();
        }
    }

    /**
     * The value in the {@code length} bytes at {@code offset} of {@code bytes}, whose entry expires
     * at {@code expiresAt} (-1: as stored with the value), decoded; if they no longer decode, the
     * entry is removed and counted, and null returned.
     */
    private ValueEncoding.@Nullable Decoded decodeOrDrop(
            byte[] key, byte[] bytes, int offset, int length, long expiresAt) {
        try {
            return ValueEncoding.decode(bytes, offset, length, expiresAt, serializer, classLoader.get());
        } catch (Exception | LinkageError e) {
            deserializationFailures.increment();
            map.remove(key, Arrays.copyOfRange(bytes, offset, offset + length)); // only if it still holds what failed
            if (deserializationLogged.compareAndSet(false, true)) {
                LOG.warn("cache '" + name + "': a stored value no longer deserializes (" + e
                        + "); it was removed and read as a miss. Further failures are counted in the"
                        + " cache's statistics, not logged. Did its class change, or is it missing from the"
                        + " serializer's allowed classes?");
            }
            return null;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
        takeMiss(null);
        long[] deadline = refreshMillis == 0 ? null : new long[1];
        Object hit = findOrMiss(key, deadline);
        Object found = counted(hit instanceof Miss ? null : hit);
        if (found != null) {
            if (deadline != null) {
                refreshIfDue(key, deadline[0], valueLoader);
            }
            return (T) fromStoreValue(found);
        }
        try {
            return (T) loads.run(key, () -> {
                Object again = findOrMiss(key); // a load that just finished for this key
                if (!(again instanceof Miss miss)) {
                    return fromStoreValue(again);
                }
                T value = valueLoader.call();
                try {
                    write(key, value, miss);
                } catch (PoolStoppedException stopped) {
                    rejectedPuts.increment(); // the value loaded is good: the caller gets it, uncached
                }
                return value;
            });
        } catch (SingleFlight.LoadFailed e) {
            throw new ValueRetrievalException(key, valueLoader, e.getCause());
        }
    }

    /**
     * Reloads {@code key} in the background when its entry expires within the refresh-ahead window.
     * The stamp is read before the loader runs: a write of the key after that wins over the reload
     * (as over any load, {@link #storeLoaded}); a write before it is in the back end the loader reads.
     */
    private void refreshIfDue(Object key, long expiresAt, Callable<?> valueLoader) {
        if (expiresAt == 0 || expiresAt - System.currentTimeMillis() > refreshMillis || !refreshing.add(key)) {
            return;
        }
        byte[] k = KeyEncoder.encode(key);
        int stripe = WriteStamps.stripe(k);
        Miss guard = new Miss(key, stripe, stamps.read(stripe));
        try {
            REFRESHES.execute(() -> {
                try {
                    if (write(key, valueLoader.call(), guard)) {
                        refreshes.increment();
                    }
                } catch (Throwable e) {
                    if (refreshFailureLogged.compareAndSet(false, true)) {
                        LOG.warn("cache '" + name + "': reloading an entry ahead of its deadline failed (" + e
                                + "); the entry expires as usual and the next miss loads it. Further failures"
                                + " are not logged.");
                    }
                } finally {
                    refreshing.remove(key);
                }
            });
        } catch (RuntimeException rejected) {
            refreshing.remove(key); // no thread to run it: the entry expires and is loaded as usual
        }
    }

    @Override
    public @Nullable CompletableFuture<?> retrieve(Object key) {
        // no miss noted: the put that may follow comes from the future's thread, not this one
        Object found = counted(find(key));
        if (found == null) {
            return null;
        }
        return CompletableFuture.completedFuture(isAllowNullValues() ? toValueWrapper(found) : fromStoreValue(found));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
        takeMiss(null);
        Object found = findOrMiss(key);
        if (!(found instanceof Miss miss)) {
            hits.increment();
            return CompletableFuture.completedFuture((T) fromStoreValue(found));
        }
        misses.increment();
        CompletableFuture<T> mine = new CompletableFuture<>();
        CompletableFuture<?> other = asyncLoads.putIfAbsent(key, mine);
        if (other != null) {
            return (CompletableFuture<T>) other;
        }
        CompletableFuture<T> source;
        try {
            source = valueLoader.get();
        } catch (RuntimeException | Error e) {
            asyncLoads.remove(key, mine);
            mine.completeExceptionally(e);
            return mine;
        }
        source.whenComplete((value, failure) -> {
            try {
                if (failure == null && (value != null || isAllowNullValues())) {
                    write(key, value, miss);
                }
            } catch (PoolStoppedException e) {
                rejectedPuts.increment(); // said once, at the first read of the stopped pool
            } catch (RuntimeException e) {
                LOG.warn("cache '" + name + "': could not store the value loaded for key " + key + ": " + e);
            } finally {
                asyncLoads.remove(key, mine);
            }
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(value);
            }
        });
        return mine;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void put(Object key, @Nullable Object value) {
        write(key, value, takeMiss(key));
    }

    /**
     * Stores {@code value}; {@code loadedAfter} is the miss it was loaded after (null: a plain
     * write, which is reported to the coherence first).
     */
    private boolean write(Object key, @Nullable Object value, @Nullable Miss loadedAfter) {
        Object storeValue = toStoreValue(value);
        byte[] k = KeyEncoder.encode(key);
        long limit = deadline(key, value);
        byte[] v = ValueEncoding.encode(storeValue, limit, serializer);
        if (v.length > settings.maximumValueBytes()) {
            reject(key, v.length, loadedAfter == null);
            return false;
        }
        long expiresAt = idleDeadline(limit);
        if (loadedAfter != null) {
            return storeLoaded(key, k, v, storeValue, expiresAt, limit, loadedAfter);
        }
        coherence.keyChanged(name, k); // before the pool changes: a crash in between loses no report
        change(
                key,
                k,
                (held, epoch) -> store(k, v, expiresAt) ? node(storeValue, expiresAt, limit, epoch, k, v) : null);
        return true;
    }

    /**
     * Runs {@code write}, a change of {@code key} (stored form {@code k}) in the pool, under the
     * heap tier's lock for the key when there is a tier, and moves the key's stripe stamp after it
     * (see {@link WriteStamps}): every change of the pool goes through here.
     */
    private void change(Object key, byte[] k, HeapTier.Write write) {
        int stripe = WriteStamps.stripe(k);
        if (heap == null) {
            try {
                write.apply(null, 0);
            } finally {
                stamps.bump(stripe);
            }
        } else {
            heap.update(key, stripe, write);
        }
    }

    /** The heap tier's node of a value whose stored form is {@code v}, or null without a tier. */
    private HeapTier.@Nullable Node node(
            Object storeValue, long expiresAt, long limit, long epoch, byte[] k, byte[] v) {
        return heap == null ? null : new HeapTier.Node(storeValue, expiresAt, limit, epoch, k.length + v.length);
    }

    /**
     * Stores a loaded value unless the key's stamp moved since the miss it was loaded after. The
     * store moves the stamp once itself; a move beyond that during the store may have come before
     * it, so the value is then taken out again (only if it is still the one stored: a later write
     * stands).
     */
    private boolean storeLoaded(
            Object key, byte[] k, byte[] v, Object storeValue, long expiresAt, long limit, Miss miss) {
        if (stamps.read(miss.stripe()) != miss.stamp()) {
            discardedLoads.increment();
            return false;
        }
        change(
                key,
                k,
                (held, epoch) -> store(k, v, expiresAt) ? node(storeValue, expiresAt, limit, epoch, k, v) : null);
        if (stamps.read(miss.stripe()) != miss.stamp() + 1) {
            discardedLoads.increment();
            change(key, k, (held, epoch) -> map.remove(k, v) ? null : held);
            return false;
        }
        return true;
    }

    @Override
    public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
        takeMiss(null);
        if (poolStopped.getAsBoolean()) {
            // Not "present": what the pool or the tier holds may be older than the application's data.
            throw new PoolStoppedException(
                    null, "cache '" + name + "' takes no changes: its pool stopped (see the pool's health)", null);
        }
        Object storeValue = toStoreValue(value);
        byte[] k = KeyEncoder.encode(key);
        long limit = deadline(key, value);
        byte[] v = ValueEncoding.encode(storeValue, limit, serializer);
        long expiresAt = idleDeadline(limit);
        if (v.length > settings.maximumValueBytes()) {
            ValueWrapper present = get(key);
            if (present == null) {
                reject(key, v.length, true);
            }
            return present;
        }
        Object[] present = new Object[1];
        coherence.keyChanged(name, k); // whether or not it stores: the report must come before the change
        change(key, k, (held, epoch) -> {
            if (held != null) {
                present[0] = held.value();
                return held;
            }
            ValueEncoding.Decoded existing = storeIfAbsent(k, v, expiresAt);
            if (existing != null) {
                present[0] = existing.value();
                // its entry's deadline is known only without a time-to-idle (then the stored one)
                return heap == null || idleMillis != 0
                        ? null
                        : new HeapTier.Node(
                                existing.value(),
                                existing.expiresAt(),
                                existing.limit(),
                                epoch,
                                k.length + existing.storedSize());
            }
            return map.containsKey(k) ? node(storeValue, expiresAt, limit, epoch, k, v) : null;
        });
        return toValueWrapper(present[0]);
    }

    /** Stores {@code v} unless a live value is present; returns that value, or null. */
    private ValueEncoding.@Nullable Decoded storeIfAbsent(byte[] k, byte[] v, long expiresAt) {
        for (int attempt = 0; ; attempt++) {
            byte[] existing;
            try {
                existing = map.putIfAbsent(k, v, expiresAt);
            } catch (PoolOutOfMemoryException e) {
                if (attempt < ROOM_ATTEMPTS && poolRoom.getAsBoolean()) {
                    continue;
                }
                noRoom(e);
                return null;
            } catch (PoolCorruptedException e) {
                damaged(k, e);
                return null;
            }
            if (existing == null) {
                puts.increment();
                enforceBounds();
                return null;
            }
            ValueEncoding.Decoded present = decodeOrDrop(k, existing, 0, existing.length, -1);
            if (present != null) {
                return present;
            }
            // an unreadable value is no value: it was dropped, so store ours in its place
        }
    }

    @Override
    public void evict(Object key) {
        evictIfPresent(key);
    }

    @Override
    public boolean evictIfPresent(Object key) {
        takeMiss(null);
        byte[] k = KeyEncoder.encode(key);
        coherence.keyChanged(name, k); // even if absent here: a peer may hold it
        boolean[] removed = new boolean[1];
        change(key, k, (held, epoch) -> {
            removed[0] = map.remove(k);
            return null;
        });
        if (removed[0]) {
            removals.increment();
        }
        return removed[0];
    }

    @Override
    public void clear() {
        invalidate();
    }

    @Override
    public boolean invalidate() {
        takeMiss(null);
        coherence.cacheCleared(name);
        long before = clearHere();
        removals.add(before);
        return before > 0;
    }

    /** Empties the pool map and the heap tier; returns the entries there were. */
    private long clearHere() {
        long before = map.size();
        map.clear();
        // after the pool is empty: the tier serves no node read or written before this, and no
        // load that started before it stores (see HeapTier, WriteStamps)
        stamps.bumpAll();
        if (heap != null) {
            heap.clear();
        }
        return before;
    }

    // ---------------------------------------------------------------- changes made elsewhere

    /** Drops {@code k} (a key's stored form) because another instance changed it; not reported back. */
    void invalidateStored(byte[] k) {
        boolean[] removed = new boolean[1];
        // a tier finds its node by the original key, rebuilt from the stored form (without a tier
        // the key is not used)
        Object key = heap == null ? k : KeyDecoder.decode(k, serializer, classLoader.get());
        if (key != null) {
            change(key, k, (held, epoch) -> {
                removed[0] = map.remove(k);
                return null;
            });
        } else {
            // a key this process cannot rebuild (its class is missing or not allowed here), so its
            // node cannot be found: pool first, then the whole tier, as clear does
            removed[0] = map.remove(k);
            stamps.bumpAll();
            heap.clear();
        }
        if (removed[0]) {
            invalidations.increment();
        }
    }

    /** Empties this cache because another instance cleared it, or changes were lost; not reported back. */
    void clearStored() {
        invalidations.add(clearHere());
    }

    /** Writes an entry, making room in the pool if needed; false if it could not (the old entry is gone then). */
    private boolean store(byte[] k, byte[] v, long expiresAt) {
        for (int attempt = 0; ; attempt++) {
            try {
                map.put(k, v, expiresAt);
                puts.increment();
                enforceBounds();
                return true;
            } catch (PoolOutOfMemoryException e) {
                if (attempt < ROOM_ATTEMPTS && poolRoom.getAsBoolean()) {
                    continue;
                }
                map.remove(k); // an older value must not outlive a put that failed
                noRoom(e);
                return false;
            } catch (PoolCorruptedException e) {
                damaged(k, e);
                return false;
            }
        }
    }

    private void enforceBounds() {
        long maxEntries = settings.maximumEntries();
        long maxBytes = settings.maximumBytes();
        if (maxEntries == 0 && maxBytes == 0) {
            return;
        }
        if ((maxEntries > 0 && map.size() > maxEntries)
                || (maxBytes > 0 && map.stats().bytes() > maxBytes)) {
            evictions.add(
                    map.evict(maxEntries > 0 ? maxEntries : Long.MAX_VALUE, maxBytes > 0 ? maxBytes : Long.MAX_VALUE));
        }
    }

    /**
     * Evicts about an eighth of this cache to make room in the pool for any cache; returns whether
     * anything was evicted.
     */
    long evictShare() {
        MapStats s = map.stats();
        if (s.entries() == 0) {
            return 0;
        }
        long removed = map.evict(s.entries() - Math.max(1, s.entries() / 8), s.bytes() - s.bytes() / 8);
        evictions.add(removed);
        return removed;
    }

    /** A value over the size limit; {@code replacing}: a write, whose older value must not be served. */
    private void reject(Object key, int length, boolean replacing) {
        rejectedPuts.increment();
        if (replacing) {
            evictIfPresent(key);
        }
        if (oversizeLogged.compareAndSet(false, true)) {
            LOG.warn("cache '" + name + "': a value of " + length + " bytes was not cached: the limit is "
                    + settings.maximumValueBytes() + " bytes (maximum value size). Further ones are counted in"
                    + " the cache's statistics, not logged.");
        }
    }

    /** A put the map's damage refused: not cached, as a request must not fail for its cache. */
    private void damaged(byte[] k, PoolCorruptedException e) {
        rejectedPuts.increment();
        try {
            map.remove(k); // an older value must not outlive a put that failed
        } catch (RuntimeException alsoDamaged) {
            e.addSuppressed(alsoDamaged);
        }
        if (damageLogged.compareAndSet(false, true)) {
            LOG.warn("cache '" + name + "': a value was not cached, the cache's pool map is damaged (" + e.getMessage()
                    + "). Clear the cache (DELETE /actuator/caches/" + name + " under Spring Boot) to rebuild it.");
        }
    }

    private void noRoom(PoolOutOfMemoryException e) {
        rejectedPuts.increment();
        if (noRoomLogged.compareAndSet(false, true)) {
            LOG.warn("cache '" + name + "': a value was not cached, the pool has no room even after evicting ("
                    + e.getMessage() + "). Give the pool more space or the caches tighter bounds.");
        }
    }

    private long deadline(Object key, @Nullable Object value) {
        Duration ttl =
                settings.expiry() != null ? settings.expiry().expireAfterWrite(key, value) : settings.timeToLive();
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            return 0;
        }
        long now = System.currentTimeMillis();
        long millis = ttl.toMillis();
        return millis > Long.MAX_VALUE - now ? 0 : now + Math.max(1, millis);
    }

    /** The deadline of an entry written now whose time-to-live gives {@code limit}: sooner with a time-to-idle. */
    private long idleDeadline(long limit) {
        if (idleMillis == 0) {
            return limit;
        }
        long idle = System.currentTimeMillis() + idleMillis;
        return limit != 0 && limit < idle ? limit : idle;
    }

    /**
     * Run by a lookup without heap tier between its pool read that missed and its stamp read; null
     * in use (tests put a write in that window).
     */
    @Nullable
    Runnable afterFirstMiss;

    /** Drops what the heap tier holds, so later reads see the pool again (for tests of damage). */
    void dropHeapTier() {
        if (heap != null) {
            heap.clear();
        }
    }

    @Override
    protected Object fromStoreValue(@Nullable Object storeValue) {
        return storeValue == NullValue.INSTANCE ? null : super.fromStoreValue(storeValue);
    }

    @Override
    public String toString() {
        return "PmemCache[" + name + ", " + settings + "]";
    }
}
