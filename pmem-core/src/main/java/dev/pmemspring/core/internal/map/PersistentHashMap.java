package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.HeapOperation;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.memory.FailStop;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import dev.pmemspring.core.internal.tx.AtomicRewrite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import static dev.pmemspring.core.internal.map.MapHeader.STRIPES;

/**
 * A persistent concurrent hash map of byte keys to byte values, whose index lives in the pool:
 * its reads and writes. A header block ({@link MapHeader}), a table of 8-byte slots cut into
 * stripes ({@link StripeTable}), and one heap block per entry ({@link EntryFormat}); growth
 * ({@link StripeGrowth}), eviction ({@link ClockEviction}) and salvage and check
 * ({@link MapRecovery}) live beside it.
 *
 * <p><b>Atomicity.</b> Every change is one redo batch: a put publishes the new entry (bitmap),
 * stores its slot, frees the entry it replaces and updates the stripe's counters; a remove stores a
 * tombstone, frees the entry and updates the counters. The exception is an overwrite whose entry
 * has exactly the size of the one it replaces: it rewrites that entry in place through the lane's
 * undo log ({@link AtomicRewrite}), touching neither the allocator nor the slot. After a crash a
 * key holds its old entry or its new one, and no block leaks.
 *
 * <p><b>Concurrency.</b> Writers lock their stripe. Readers lock nothing: they read under the
 * stripe's sequence number and retry if a writer ran meanwhile (a seqlock), so gets scale and are
 * never blocked by writes to other stripes. An entry changes only under its stripe's lock.
 *
 * <p>Longer than the other files here because get, write and remove share one protocol (the
 * stripe's lock or sequence number, its reused batch and scratch, the removal that trims
 * tombstones), and most of the length is the reasoning at each store.
 */
public final class PersistentHashMap {

    /**
     * Overwrites of entries up to this size rewrite the entry in place, chosen by measuring
     * ({@code MapBenchmark.putOverwrite}, docs/benchmarks.md) against a new block: beyond it, the
     * copy into the log grows with the entry while the saving does not.
     */
    private static final long MAX_REWRITTEN_ENTRY = 2048;

    public static final long HEADER_SIZE = MapHeader.SIZE;

    private final PersistentMemory memory;
    private final Heap heap;
    private final AtomicRewrite rewrites;
    private final FailStop failStop;
    private final long header;
    private final StripeTable table;
    private final EntryReader entries;
    private final StripeGrowth growth;
    private final ClockEviction eviction;
    private final MapRecovery recovery;
    /** One heap operation per stripe, made on first use and reused by the holder of the stripe's lock. */
    private final HeapOperation[] operations = new HeapOperation[STRIPES];
    /** One entry-writing scratch per stripe, made on first use, used by the holder of the stripe's lock. */
    private final EntryFormat.Scratch[] scratches = new EntryFormat.Scratch[STRIPES];

    private final LongAdder checksumFailures = new LongAdder();
    private final LongAdder expiredRemoved = new LongAdder();

    /** Thrown when the pool has no room for an entry or a table; the caller decides (evict, fail). */
    public static final class NoSpace extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoSpace() {
            super(null, null, false, false);
        }
    }

    private PersistentHashMap(PersistentMemory memory, Heap heap, Lanes lanes, AtomicRewrite rewrites, long header) {
        this.memory = memory;
        this.heap = heap;
        this.rewrites = rewrites;
        this.failStop = lanes.failStop();
        this.header = header;
        this.table = new StripeTable(memory, header, heap);
        this.entries = new EntryReader(memory, heap, (int) memory.getLong(MapHeader.idAt(header)));
        this.growth = new StripeGrowth(memory, heap, lanes, header, table, entries);
        this.eviction = new ClockEviction(memory, table, entries, growth, this::removeSlot);
        this.recovery = new MapRecovery(memory, heap, lanes, header, table, entries, growth);
    }

    /** Writes an empty map into a new, unpublished header block and zeroed table. */
    public static void format(PersistentMemory memory, long header, long table) {
        MapHeader.format(memory, header, table);
    }

    /** The bytes of a table with {@code stripeSize} slots per stripe. */
    public static long tableBytes(long stripeSize) {
        return MapHeader.tableBytes(stripeSize);
    }

    /** The bytes of a new map's first table. */
    public static long initialTableBytes() {
        return MapHeader.tableBytes(MapHeader.INITIAL_STRIPE_SIZE);
    }

    /**
     * Opens the map whose header is at {@code header}: reads its header, whatever the map's size.
     *
     * @throws MapDamageException if the header does not hold together
     */
    public static PersistentHashMap open(
            PersistentMemory memory, Heap heap, Lanes lanes, AtomicRewrite rewrites, long header) {
        String damage = MapHeader.damage(memory, heap, header);
        if (damage != null) {
            throw new MapDamageException(damage);
        }
        return new PersistentHashMap(memory, heap, lanes, rewrites, header);
    }

    public long header() {
        return header;
    }

    // ---------------------------------------------------------------- reads

    /**
     * The value of {@code key}, or null. Expired and damaged entries are misses (and are removed).
     *
     * <p>The key is compared in place, in the pool; the entry is copied and verified in an array
     * the thread keeps (entries up to 64 KiB; a larger one gets an array of its own), so a read
     * allocates the value array it returns and, for a large entry, that one more.
     */
    public byte[] get(byte[] key) {
        EntryCopy copy = COPIES.get();
        try {
            return get(key, copy) ? copy.value() : null;
        } finally {
            copy.release();
        }
    }

    private static final ThreadLocal<EntryCopy> COPIES = ThreadLocal.withInitial(EntryCopy::new);

    /** A thread's array for the entries {@link #get(byte[])} copies. */
    private static final class EntryCopy implements ValueSink {
        private static final int KEPT = 64 * 1024;
        private byte[] kept = new byte[256];
        private byte[] last;
        private int offset;
        private int length;

        @Override
        public byte[] array(int needed) {
            if (needed > KEPT) {
                last = new byte[needed];
            } else {
                if (kept.length < needed) {
                    kept = new byte[Math.max(needed, Math.min(KEPT, kept.length * 2))];
                }
                last = kept;
            }
            return last;
        }

        @Override
        public void found(int at, int valueLength, long expiresAt) {
            offset = at;
            length = valueLength;
        }

        byte[] value() {
            return Arrays.copyOfRange(last, offset, offset + length);
        }

        /** Ends a read: a large entry's array is not kept. */
        void release() {
            last = null;
        }
    }

    /**
     * Copies the entry of {@code key} into an array {@code sink} gives (it may reuse it from read to
     * read) and tells the sink where the value lies in it; false if there is no live entry. The
     * copy is verified (checksum, and no writer ran meanwhile) before the sink hears of it: the pool
     * is read without a lock, so nothing may parse the value where it lies.
     */
    public boolean get(byte[] key, ValueSink sink) {
        long hash = KeyHash.of(key);
        int s = StripeTable.stripeOf(hash);
        StripeLock lock = table.lock(s);
        for (int attempt = 0; ; attempt++) {
            long before = lock.sequence();
            if ((before & 1) == 0) {
                try {
                    long slot = table.findSlot(s, hash, key);
                    if (slot < 0) {
                        if (StripeTable.unchanged(lock, before)) {
                            return false;
                        }
                    } else {
                        long v = memory.getLong(slot);
                        long entry = StripeTable.entryOf(v);
                        int valueLength = EntryFormat.valueLength(memory, entry);
                        long expiresAt = EntryFormat.expiresAt(memory, entry);
                        // The length sizes an array only if no writer ran since the slot was read:
                        // then it is the length of a live entry, not of a block freed meanwhile.
                        if (StripeTable.unchanged(lock, before)) {
                            if (!entries.plausible(entry, key.length, valueLength)) {
                                dropIfStill(hash, key, entry, true);
                                return false;
                            }
                            int checked = EntryFormat.checkedLength(key.length, valueLength);
                            boolean intact = entries.copyChecked(entry, sink.array(checked), checked);
                            if (StripeTable.unchanged(lock, before)) {
                                if (!intact || EntryReader.isPast(expiresAt)) {
                                    dropIfStill(hash, key, entry, !intact);
                                    return false;
                                }
                                if ((v & StripeTable.ACCESSED) == 0) {
                                    // Best effort, and harmless if the slot changed: only a hint for eviction.
                                    memory.compareAndSetLong(slot, v, v | StripeTable.ACCESSED);
                                }
                                sink.found(EntryFormat.valueInChecked(key.length), valueLength, expiresAt);
                                return true;
                            }
                        }
                    }
                } catch (RuntimeException inconsistent) {
                    // read what a writer was changing: retry
                }
            }
            if (attempt >= 32) {
                return getLocked(hash, s, key, sink);
            }
            Thread.onSpinWait();
        }
    }

    /** {@link #get} under the stripe's lock, for a reader that writers kept retrying. */
    private boolean getLocked(long hash, int s, byte[] key, ValueSink sink) {
        long entry;
        boolean intact;
        StripeLock lock = table.lock(s);
        lock.lock();
        try {
            long slot = table.findSlot(s, hash, key);
            if (slot < 0) {
                return false;
            }
            long v = memory.getLong(slot);
            entry = StripeTable.entryOf(v);
            int valueLength = EntryFormat.valueLength(memory, entry);
            intact = entries.plausible(entry, key.length, valueLength);
            if (intact) {
                int checked = EntryFormat.checkedLength(key.length, valueLength);
                intact = entries.copyChecked(entry, sink.array(checked), checked);
            }
            if (intact && !entries.expired(entry)) {
                if ((v & StripeTable.ACCESSED) == 0) {
                    memory.compareAndSetLong(slot, v, v | StripeTable.ACCESSED);
                }
                sink.found(EntryFormat.valueInChecked(key.length), valueLength, EntryFormat.expiresAt(memory, entry));
                return true;
            }
        } finally {
            lock.unlock();
        }
        dropIfStill(hash, key, entry, !intact);
        return false;
    }

    /** Whether {@code key} has a live entry: read and verified as {@link #get(byte[])} does, no value copied out. */
    public boolean containsKey(byte[] key) {
        EntryCopy copy = COPIES.get();
        try {
            return get(key, copy);
        } finally {
            copy.release();
        }
    }

    /**
     * Removes an entry a reader found expired or damaged, if {@code key} still holds that very
     * entry. The key is looked up again under the lock, in the stripe's current region: the slot
     * the reader saw may be in a table the stripe has moved out of since.
     */
    private void dropIfStill(long hash, byte[] key, long entry, boolean damaged) {
        if (failStop.stopped()) {
            return; // a read goes on in a stopped pool: the entry stays, a miss all the same
        }
        int s = StripeTable.stripeOf(hash);
        StripeLock lock = table.lock(s);
        lock.lock();
        try {
            growth.moveIfBehind(s);
            long slot = table.findSlot(s, hash, key);
            // Still that entry, and still as the reader saw it: a same-size put may have rewritten
            // it in place since.
            if (slot >= 0
                    && StripeTable.entryOf(memory.getLong(slot)) == entry
                    && (damaged ? entries.intactValue(entry, key) == null : entries.expired(entry))) {
                removeSlot(s, slot, entry);
                (damaged ? checksumFailures : expiredRemoved).increment();
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- writes

    /** How a write treats a key that is present. */
    public enum Mode {
        PUT,
        PUT_IF_ABSENT,
        REPLACE
    }

    /**
     * Writes {@code value} for {@code key} as the mode says.
     *
     * @return for {@link Mode#PUT_IF_ABSENT} the value present (nothing written), else null;
     *         for {@link Mode#REPLACE} a non-null marker if replaced
     */
    public byte[] write(byte[] key, byte[] value, long expiresAt, Mode mode) {
        if ((long) key.length + value.length > EntryFormat.MAX_KEY_AND_VALUE) {
            throw new IllegalArgumentException("a key of " + key.length + " bytes and a value of " + value.length
                    + " bytes are more than one map entry holds (" + EntryFormat.MAX_KEY_AND_VALUE
                    + " bytes together): store the value in pieces under several keys");
        }
        long hash = KeyHash.of(key);
        int s = StripeTable.stripeOf(hash);
        long entrySize = EntryFormat.size(key, value);
        StripeLock lock = table.lock(s);
        lock.lock();
        try {
            growth.moveIfBehind(s);
            long slot = table.findSlot(s, hash, key);
            long oldEntry = slot >= 0 ? StripeTable.entryOf(memory.getLong(slot)) : 0;
            if (mode != Mode.PUT) {
                // Only the conditional writes need to know whether the present entry is live; a
                // plain put replaces it whatever it holds, without reading its value.
                byte[] present = oldEntry != 0 ? entries.liveValue(oldEntry, key) : null;
                if (mode == Mode.PUT_IF_ABSENT && present != null) {
                    return present;
                }
                if (mode == Mode.REPLACE && present == null) {
                    return null;
                }
            }
            if (oldEntry != 0 && rewroteInPlace(s, oldEntry, entrySize, key, value, expiresAt)) {
                return mode == Mode.REPLACE ? value : null;
            }
            if (slot < 0) {
                // A new key: grow first if the stripe is crowded (an overwrite needs no new slot).
                growth.makeRoom(s);
                slot = table.freeSlot(s, hash);
            }
            // The stripe's operation is reused: a put allocates nothing on the Java heap for it.
            try (HeapOperation op = operationOf(s)) {
                long entry;
                try {
                    // A unit by its handle alone (no Block object); a larger entry takes chunks.
                    entry = entrySize <= Heap.maxUnitSize() ? op.reserveUnit(entrySize) : op.reserve(entrySize);
                } catch (Heap.OutOfSpace e) {
                    throw new NoSpace();
                }
                // Order: the entry is written and flushed first; the commit drains it before the
                // first word of the batch that publishes it, so a published entry is always whole.
                EntryFormat.write(memory, entry, entries.mapId(), key, value, expiresAt, scratchOf(s));
                memory.flush(entry, entrySize);
                boolean reusedTombstone = oldEntry == 0 && memory.getLong(slot) == StripeTable.TOMBSTONE;
                op.set(slot, StripeTable.slotValue(entry, hash));
                long oldBytes = 0;
                if (oldEntry != 0) {
                    oldBytes = entryBytes(s, oldEntry);
                    op.freeIfLive(oldEntry); // a torn slot may name a block that is not this entry's
                }
                addCounters(op, s, oldEntry == 0 ? 1 : 0, entrySize - oldBytes);
                op.commit();
                if (reusedTombstone) {
                    table.tombstones[s]--;
                }
            }
            return mode == Mode.REPLACE ? value : null;
        } finally {
            lock.unlock();
            growth.helpGrow();
        }
    }

    /**
     * Overwrites {@code entry} where it is if the new entry has exactly its size (at most
     * {@value #MAX_REWRITTEN_ENTRY} bytes), atomically through the lane's undo log: no block is
     * allocated or freed, and the slot and the stripe's counters stay as they are. False (nothing
     * written) if the sizes differ or the thread is in a transaction. Readers see the stripe's
     * sequence number move, as for any write, and retry.
     */
    private boolean rewroteInPlace(int s, long entry, long entrySize, byte[] key, byte[] value, long expiresAt) {
        // The slot's key matched; its stored lengths must give this size, and the allocator must
        // know the block as live and large enough (as the other path's free checks it): a damaged
        // slot or length could otherwise point the rewrite at someone else's bytes. A damaged
        // value is simply rewritten.
        if (entrySize > MAX_REWRITTEN_ENTRY
                || EntryFormat.keyLength(memory, entry) != key.length
                || EntryFormat.valueLength(memory, entry) != value.length
                || !heap.isLiveBlockOf(entry, entrySize)) {
            return false;
        }
        int lane = rewrites.begin(entry, entrySize);
        if (lane < 0) {
            return false;
        }
        try {
            // Order: the old bytes are in the log (durable) before the first store here; the
            // rewrite is flushed and drained before the log is emptied.
            EntryFormat.write(memory, entry, entries.mapId(), key, value, expiresAt, scratchOf(s));
            memory.flush(entry, entrySize);
            rewrites.commit(lane);
        } catch (RuntimeException | Error e) {
            abortRewrite(lane, e);
            throw e;
        }
        return true;
    }

    /** Undoes an in-place rewrite that failed with {@code failure}; a failed undo (the pool stops) carries it. */
    private void abortRewrite(int lane, Throwable failure) {
        try {
            rewrites.abort(lane);
        } catch (RuntimeException | Error undo) {
            undo.addSuppressed(failure);
            throw undo;
        }
    }

    /**
     * Moves the expiry of {@code key}'s live entry to {@code expiresAt} (epoch millis, 0 never);
     * false, and nothing written, if the key has no live entry or the thread is in a transaction.
     * The entry's header is rewritten in place through the lane's undo log, as a same-size overwrite
     * is: after a crash the entry has its old expiry or its new one, and verifies either way.
     */
    public boolean setExpiry(byte[] key, long expiresAt) {
        if (failStop.stopped()) {
            return false; // a read's bookkeeping: the entry keeps its deadline, and the read goes on
        }
        long hash = KeyHash.of(key);
        int s = StripeTable.stripeOf(hash);
        StripeLock lock = table.lock(s);
        lock.lock();
        try {
            growth.moveIfBehind(s);
            long slot = table.findSlot(s, hash, key);
            if (slot < 0) {
                return false;
            }
            long entry = StripeTable.entryOf(memory.getLong(slot));
            byte[] value = entries.liveValue(entry, key);
            if (value == null) {
                return false;
            }
            // The sequence of rewroteInPlace, written out: sharing it would put a capturing lambda
            // on the put path, which rewroteInPlace is.
            int lane = rewrites.begin(entry, EntryFormat.HEADER);
            if (lane < 0) {
                return false;
            }
            try {
                // Order: the old header is in the log before the expiry changes; the checksum,
                // which covers the expiry, is stored last and flushed with it before the commit.
                EntryFormat.rewriteExpiry(memory, entry, expiresAt, key, value, scratchOf(s));
                memory.flush(entry, EntryFormat.HEADER);
                rewrites.commit(lane);
            } catch (RuntimeException | Error e) {
                abortRewrite(lane, e);
                throw e;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code key}, or only if it holds {@code expected} when that is not null. */
    public boolean remove(byte[] key, byte[] expected) {
        long hash = KeyHash.of(key);
        int s = StripeTable.stripeOf(hash);
        StripeLock lock = table.lock(s);
        lock.lock();
        try {
            growth.moveIfBehind(s);
            long slot = table.findSlot(s, hash, key);
            if (slot < 0) {
                return false;
            }
            long entry = StripeTable.entryOf(memory.getLong(slot));
            if (expected != null && !Arrays.equals(entries.intactValue(entry, key), expected)) {
                return false;
            }
            boolean wasExpired = entries.expired(entry);
            removeSlot(s, slot, entry);
            return !wasExpired;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the entry at {@code slot} of stripe {@code s}'s current region; caller holds the
     * stripe's lock. The slot becomes a tombstone, or empty when the next slot is empty, and then
     * the tombstones just before it become empty too: a probe that reaches a run of tombstones
     * ending at an empty slot finds nothing in it, so emptying any of them changes no lookup (in
     * any order, and whether or not a crash keeps them). Without this, tombstones of removed keys
     * pile up until the stripe counts as crowded and the whole table is rebuilt.
     * Returns the bytes the entry counted for.
     */
    private long removeSlot(int s, long slot, long entry) {
        long bytes = entryBytes(s, entry);
        long size = table.stripeSize(s);
        long region = table.region(s);
        long next = region + 8 * ((slot - region + 8) / 8 & (size - 1));
        boolean emptyAfter = memory.getLong(next) == StripeTable.EMPTY;
        try (HeapOperation op = operationOf(s)) {
            op.set(slot, emptyAfter ? StripeTable.EMPTY : StripeTable.TOMBSTONE);
            op.freeIfLive(entry); // a torn slot may name a block that is not this entry's
            addCounters(op, s, -1, -bytes);
            op.commit();
        }
        if (!emptyAfter) {
            table.tombstones[s]++;
            return bytes;
        }
        // Back to the region's start only (not around), so the slots emptied are one range to flush.
        long first = slot;
        while (first > region && memory.getLong(first - 8) == StripeTable.TOMBSTONE) {
            first -= 8;
            // Not logged: a tombstone or an empty slot here reads the same to every probe, so a
            // crash may keep or lose this store and the flush below.
            memory.putLongAtomic(first, StripeTable.EMPTY);
            if (table.tombstones[s] > 0) { // the count starts at 0 on open, tombstones left before it uncounted
                table.tombstones[s]--;
            }
        }
        if (first < slot) {
            memory.flush(first, slot - first);
        }
        return bytes;
    }

    /** The bytes {@code entry} counts for in stripe {@code s}'s total; caller holds the stripe's lock. */
    private long entryBytes(int s, long entry) {
        if (entries.plausible(entry, EntryFormat.keyLength(memory, entry), EntryFormat.valueLength(memory, entry))) {
            return entries.storedSize(entry);
        }
        // Damaged lengths cannot say what the entry was counted for; the stripe's total can: it is
        // what the total holds beyond the other entries (a walk of one stripe, on this rare path).
        long[] others = {0};
        table.visitLive(s, 0, (index, slot, v) -> {
            long other = StripeTable.entryOf(v);
            if (other != entry) {
                others[0] += entries.storedSize(other);
            }
            return true;
        });
        return table.bytes(s) - others[0];
    }

    /** Adds the stripe's counter words that change to the operation; an unchanged word is not logged. */
    private void addCounters(HeapOperation op, int s, long entries, long bytes) {
        if (entries != 0) {
            long word = table.stripeWord(s);
            op.set(
                    table.stripeWordOffset(s),
                    MapHeader.stripeWord(MapHeader.countOf(word) + entries, MapHeader.tableOf(word)));
        }
        if (bytes != 0) {
            op.set(table.stripeBytesOffset(s), table.bytes(s) + bytes);
        }
    }

    /** The stripe's reusable heap operation, empty; only the holder of the stripe's lock may use it. */
    private HeapOperation operationOf(int s) {
        HeapOperation op = operations[s];
        if (op == null) {
            op = heap.operation();
            operations[s] = op;
        }
        return op;
    }

    /** The stripe's reusable entry-writing scratch; only the holder of the stripe's lock may use it. */
    private EntryFormat.Scratch scratchOf(int s) {
        EntryFormat.Scratch scratch = scratches[s];
        if (scratch == null) {
            scratch = new EntryFormat.Scratch();
            scratches[s] = scratch;
        }
        return scratch;
    }

    // ---------------------------------------------------------------- whole map

    public long size() {
        return table.totalCount();
    }

    /** Bytes of all entries (headers, keys and values). */
    public long bytes() {
        return table.totalBytes();
    }

    /** Removes every entry, one stripe at a time, so readers wait for one stripe at most. */
    public void clear() {
        failStop.check(); // its stripes are rewritten in place, outside any log
        for (int s = 0; s < STRIPES; s++) {
            StripeLock lock = table.lock(s);
            lock.lock();
            try {
                growth.moveIfBehind(s);
                int stripe = s;
                table.visitLive(s, 0, (index, slot, v) -> {
                    removeSlot(stripe, slot, StripeTable.entryOf(v));
                    return true;
                });
                // No live key is left in the stripe: tombstones can become empty slots in any order.
                long region = table.region(s);
                long size = table.stripeSize(s);
                memory.fill(region, 8 * size, (byte) 0);
                memory.persist(region, 8 * size);
                table.tombstones[s] = 0;
            } finally {
                lock.unlock();
            }
        }
    }

    /** A live entry, as iteration and eviction see it. */
    public record Entry(byte[] key, byte[] value, long expiresAt) {}

    /**
     * The live entries of one stripe, read consistently (used for weakly consistent iteration:
     * the caller walks the stripes one after another).
     */
    public List<Entry> stripeEntries(int s) {
        // Iteration is not a hot path: it reads each stripe under its lock, which keeps it from
        // ever sizing an array by a length read from a block freed meanwhile.
        StripeLock lock = table.lock(s);
        lock.lock();
        try {
            List<Entry> found = new ArrayList<>();
            table.visitLive(s, 0, (index, slot, v) -> {
                long entry = StripeTable.entryOf(v);
                int keyLength = EntryFormat.keyLength(memory, entry);
                int valueLength = EntryFormat.valueLength(memory, entry);
                if (!entries.plausible(entry, keyLength, valueLength)) {
                    return true; // damaged: a reader of the key drops it; iteration only skips it
                }
                byte[] key = entries.key(entry);
                byte[] value = entries.valueOf(entry, key.length, valueLength);
                long expiresAt = EntryFormat.expiresAt(memory, entry);
                if (!EntryReader.isPast(expiresAt) && entries.intact(entry, key, value)) {
                    found.add(new Entry(key, value, expiresAt));
                }
                return true;
            });
            return found;
        } finally {
            lock.unlock();
        }
    }

    public static int stripes() {
        return STRIPES;
    }

    /** See {@link ClockEviction#evict}. */
    public long evict(long maxEntries, long maxBytes) {
        return eviction.evict(maxEntries, maxBytes);
    }

    public long checksumFailures() {
        return checksumFailures.sum();
    }

    public long expiredRemoved() {
        return expiredRemoved.sum();
    }

    public long evicted() {
        return eviction.evicted();
    }

    /** The map's tables (one, or two while it grows or until the next growth). */
    public List<Long> tables() {
        return table.tableHandles();
    }

    /** See {@link MapRecovery#salvage}; the entries dropped count as checksum failures. */
    public long salvage() {
        long dropped = recovery.salvage();
        checksumFailures.add(dropped);
        return dropped;
    }

    /** See {@link MapRecovery#check}. */
    public long check(String name, List<String> problems) {
        return recovery.check(name, problems);
    }
}
