package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.Reservation;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.log.RedoBatch;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import dev.pmemspring.core.internal.tx.AtomicRewrite;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A persistent concurrent hash map of byte keys to byte values, whose index lives in the pool.
 *
 * <p><b>Layout.</b> A header block, a table of 8-byte slots, and one heap block per entry
 * ({@link EntryFormat}). The table is cut into {@value #STRIPES} stripes, each an open-addressing
 * table of its own (linear probing inside the stripe's contiguous region). A slot holds
 * {@code entry handle | access bit (bit 0) | 16 bits of the key's hash << 48}; 0 is empty, 2 a
 * tombstone.
 *
 * <pre>
 *   header +0 magic, +8 table[0], +16 stripe size[0], +24 table[1], +32 stripe size[1],
 *          +40 current table index, +64 per stripe: count << 8 | table index,
 *          +64 + 8 * STRIPES per stripe: bytes
 * </pre>
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
 * <p><b>Growth</b> is per stripe and online: a new table (twice as large) is published, and each
 * stripe moves into it the next time a writer touches it (and writers help move one more), by
 * copying its slots into its zeroed new region and then flipping its table bit: one atomic store.
 * The old table is kept until the next growth begins, so a slow reader never reads freed space.
 */
public final class PersistentHashMap {

    /**
     * Overwrites of entries up to this size rewrite the entry in place. Measured
     * ({@code MapBenchmark.putOverwrite}, docs/benchmarks.md) against a new block: at 140 and
     * 440 bytes faster with one thread and 20-40 % faster with two; at 1 KiB as fast with one
     * thread and about 30 % faster with two. Beyond, the copy into the log grows with the entry
     * while the saving does not.
     */
    private static final long MAX_REWRITTEN_ENTRY = 2048;
    /** Entries up to this size are read without asking the heap for their block's size. */
    private static final long UNCHECKED_ENTRY_BYTES = 64 * 1024;
    static final int STRIPES = 256;
    static final long MAGIC = 0x3150414D4D454D50L; // "PMEMMAP1"
    public static final long HEADER_SIZE = 64 + 16L * STRIPES;
    static final int INITIAL_STRIPE_SIZE = 16;

    private static final long EMPTY = 0;
    private static final long TOMBSTONE = 2;
    private static final long ACCESSED = 1;
    private static final long HANDLE_MASK = 0x0000_FFFF_FFFF_FFF0L;

    private final PersistentMemory memory;
    private final Heap heap;
    private final Lanes lanes;
    private final AtomicRewrite rewrites;
    private final long header;
    /** Per stripe: the writers' lock, whose state is also the readers' sequence number. */
    private final StripeLock[] locks = new StripeLock[STRIPES];
    private final int[] tombstones = new int[STRIPES];
    /** One redo batch per stripe, made on first use and reused by the holder of the stripe's lock. */
    private final RedoBatch[] batches = new RedoBatch[STRIPES];
    /** One entry-writing scratch per stripe, made on first use, used by the holder of the stripe's lock. */
    private final EntryFormat.Scratch[] scratches = new EntryFormat.Scratch[STRIPES];
    private final ReentrantLock growLock = new ReentrantLock();
    private final AtomicInteger moved = new AtomicInteger();
    private final AtomicInteger helpCursor = new AtomicInteger();
    private volatile Tables tables;
    private final LongAdder checksumFailures = new LongAdder();
    private final LongAdder expiredRemoved = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private int clockStripe;
    private int clockSlot;

    /** The two tables and which is current; immutable, replaced when growth starts. */
    private record Tables(long[] handle, long[] stripeSize, int current) {
    }

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
        this.lanes = lanes;
        this.rewrites = rewrites;
        this.header = header;
        for (int s = 0; s < STRIPES; s++) {
            locks[s] = new StripeLock();
        }
    }

    /** Writes an empty map into a new, unpublished header block and zeroed table. */
    public static void format(PersistentMemory memory, long header, long table) {
        memory.fill(header, HEADER_SIZE, (byte) 0);
        memory.putLong(header, MAGIC);
        memory.putLong(header + 8, table);
        memory.putLong(header + 16, INITIAL_STRIPE_SIZE);
        memory.fill(table, tableBytes(INITIAL_STRIPE_SIZE), (byte) 0);
        memory.flush(header, HEADER_SIZE);
        memory.flush(table, tableBytes(INITIAL_STRIPE_SIZE));
    }

    public static long tableBytes(long stripeSize) {
        return 8L * STRIPES * stripeSize;
    }

    /** Opens the map whose header is at {@code header}: reads a few words, whatever its size. */
    public static PersistentHashMap open(PersistentMemory memory, Heap heap, Lanes lanes, AtomicRewrite rewrites,
                                         long header) {
        if (memory.getLong(header) != MAGIC) {
            throw new IllegalStateException("block " + header + " is not a map header");
        }
        PersistentHashMap map = new PersistentHashMap(memory, heap, lanes, rewrites, header);
        int current = (int) memory.getLong(header + 40);
        map.tables = new Tables(new long[] {memory.getLong(header + 8), memory.getLong(header + 24)},
                new long[] {memory.getLong(header + 16), memory.getLong(header + 32)}, current);
        int done = 0;
        for (int s = 0; s < STRIPES; s++) {
            if ((map.stripeWord(s) & 1) == current) {
                done++;
            }
        }
        map.moved.set(done);
        return map;
    }

    public long header() {
        return header;
    }

    // ---------------------------------------------------------------- reads

    /**
     * The value of {@code key}, or null. Expired and damaged entries are misses (and are removed).
     *
     * <p>Allocates the value array and nothing else: the key is compared and the checksum computed
     * in place, in the pool.
     */
    public byte[] get(byte[] key) {
        long hash = KeyHash.of(key);
        int s = stripeOf(hash);
        StripeLock lock = locks[s];
        for (int attempt = 0; ; attempt++) {
            long before = lock.sequence();
            if ((before & 1) == 0) {
                try {
                    long slot = findSlot(s, hash, key);
                    if (slot < 0) {
                        if (unchanged(lock, before)) {
                            return null;
                        }
                    } else {
                        long v = memory.getLong(slot);
                        long entry = v & HANDLE_MASK;
                        int valueLength = memory.getInt(entry + 8);
                        long expiresAt = memory.getLong(entry + 16);
                        // The length sizes an array only if no writer ran since the slot was read:
                        // then it is the length of a live entry, not of a block freed meanwhile.
                        if (unchanged(lock, before)) {
                            if (!plausible(entry, key.length, valueLength)) {
                                dropIfStill(hash, key, entry, true);
                                return null;
                            }
                            byte[] value = new byte[valueLength];
                            memory.getBytes(entry + EntryFormat.HEADER + key.length, value, 0, valueLength);
                            boolean intact = memory.getInt(entry) == EntryFormat.checksum(memory, entry, key, value);
                            if (unchanged(lock, before)) {
                                if (!intact || expired(expiresAt)) {
                                    dropIfStill(hash, key, entry, !intact);
                                    return null;
                                }
                                if ((v & ACCESSED) == 0) {
                                    // Best effort, and harmless if the slot changed: only a hint for eviction.
                                    memory.compareAndSetLong(slot, v, v | ACCESSED);
                                }
                                return value;
                            }
                        }
                    }
                } catch (RuntimeException inconsistent) {
                    // read what a writer was changing: retry
                }
            }
            if (attempt >= 32) {
                return getLocked(hash, s, key);
            }
            Thread.onSpinWait();
        }
    }

    /** {@link #get} under the stripe's lock, for a reader that writers kept retrying. */
    private byte[] getLocked(long hash, int s, byte[] key) {
        long entry;
        byte[] value;
        boolean intact;
        locks[s].lock();
        try {
            long slot = findSlot(s, hash, key);
            if (slot < 0) {
                return null;
            }
            long v = memory.getLong(slot);
            entry = v & HANDLE_MASK;
            value = intactValue(entry, key);
            intact = value != null;
            if (intact && !expired(memory.getLong(entry + 16))) {
                if ((v & ACCESSED) == 0) {
                    memory.compareAndSetLong(slot, v, v | ACCESSED);
                }
                return value;
            }
        } finally {
            locks[s].unlock();
        }
        dropIfStill(hash, key, entry, !intact);
        return null;
    }

    public boolean containsKey(byte[] key) {
        return get(key) != null;
    }

    /**
     * The slot of stripe {@code s} that holds {@code key}, or -1. Compares keys in place. Unlocked
     * readers call it under the stripe's sequence number and must check that afterwards; garbage
     * read meanwhile may throw, which they treat as a retry.
     */
    private long findSlot(int s, long hash, byte[] key) {
        int index = (int) (stripeWord(s) & 1);
        Tables t = tables;
        long size = t.stripeSize()[index];
        long region = t.handle()[index] + 8L * s * size;
        long tag = tagOf(hash);
        long start = position(hash, size);
        for (long i = 0; i < size; i++) {
            long slot = region + 8 * ((start + i) & (size - 1));
            long v = memory.getLong(slot);
            if (v == EMPTY) {
                return -1;
            }
            if (v == TOMBSTONE || (v >>> 48) != tag) {
                continue;
            }
            long entry = v & HANDLE_MASK;
            if (memory.getInt(entry + 4) == key.length && memory.bytesEqual(entry + EntryFormat.HEADER, key)) {
                return slot;
            }
        }
        return -1;
    }

    /** The value of the entry at {@code entry}, or null if its length is damaged; caller holds the stripe's lock. */
    private byte[] readValue(long entry, int keyLength) {
        int valueLength = memory.getInt(entry + 8);
        if (!plausible(entry, keyLength, valueLength)) {
            return null;
        }
        byte[] value = new byte[valueLength];
        memory.getBytes(entry + EntryFormat.HEADER + keyLength, value, 0, valueLength);
        return value;
    }

    /** The value of the entry holding {@code key} if its lengths and checksum verify, else null; caller holds the lock. */
    private byte[] intactValue(long entry, byte[] key) {
        byte[] value = readValue(entry, key.length);
        return value != null && memory.getInt(entry) == EntryFormat.checksum(memory, entry, key, value) ? value : null;
    }

    /** The value of the entry holding {@code key} if it verifies and has not expired, else null; caller holds the lock. */
    private byte[] liveValue(long entry, byte[] key) {
        byte[] value = intactValue(entry, key);
        return value != null && !expired(memory.getLong(entry + 16)) ? value : null;
    }

    /**
     * Whether lengths read from an entry can be believed enough to size arrays: not negative and,
     * beyond {@value #UNCHECKED_ENTRY_BYTES} bytes (where a damaged length could ask for gigabytes),
     * within the entry's block. The checksum then decides whether the bytes are whole.
     */
    private boolean plausible(long entry, int keyLength, int valueLength) {
        if (keyLength < 0 || valueLength < 0) {
            return false;
        }
        long size = EntryFormat.HEADER + (long) keyLength + valueLength;
        if (size <= UNCHECKED_ENTRY_BYTES) {
            return true;
        }
        try {
            return size <= heap.sizeOf(entry);
        } catch (RuntimeException notABlock) {
            return false;
        }
    }

    private static boolean expired(long expiresAt) {
        return expiresAt != 0 && System.currentTimeMillis() >= expiresAt;
    }

    /**
     * Removes an entry a reader found expired or damaged, if {@code key} still holds that very
     * entry. The key is looked up again under the lock, in the stripe's current region: the slot
     * the reader saw may be in a table the stripe has moved out of since.
     */
    private void dropIfStill(long hash, byte[] key, long entry, boolean damaged) {
        int s = stripeOf(hash);
        lockForWrite(s);
        try {
            moveIfBehind(s);
            long slot = findSlot(s, hash, key);
            // Still that entry, and still as the reader saw it: a same-size put may have rewritten
            // it in place since.
            if (slot >= 0 && (memory.getLong(slot) & HANDLE_MASK) == entry
                    && (damaged ? intactValue(entry, key) == null : expired(memory.getLong(entry + 16)))) {
                removeSlot(s, slot, entry);
                (damaged ? checksumFailures : expiredRemoved).increment();
            }
        } finally {
            unlockAfterWrite(s);
        }
    }

    // ---------------------------------------------------------------- writes

    /** How a write treats a key that is present. */
    public enum Mode { PUT, PUT_IF_ABSENT, REPLACE }

    /**
     * Writes {@code value} for {@code key} as the mode says.
     *
     * @return for {@link Mode#PUT_IF_ABSENT} the value present (nothing written), else null;
     *         for {@link Mode#REPLACE} a non-null marker if replaced
     */
    public byte[] write(byte[] key, byte[] value, long expiresAt, Mode mode) {
        long hash = KeyHash.of(key);
        int s = stripeOf(hash);
        long entrySize = EntryFormat.size(key, value);
        lockForWrite(s);
        try {
            moveIfBehind(s);
            long slot = findSlot(s, hash, key);
            long oldEntry = slot >= 0 ? memory.getLong(slot) & HANDLE_MASK : 0;
            if (mode != Mode.PUT) {
                // Only the conditional writes need to know whether the present entry is live; a
                // plain put replaces it whatever it holds, without reading its value.
                byte[] present = oldEntry != 0 ? liveValue(oldEntry, key) : null;
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
                makeRoom(s);
                slot = freeSlot(s, hash);
            }
            // An entry that fits a run's unit is reserved by its handle alone (no Reservation object:
            // a put allocates nothing on the Java heap); a larger one takes chunks, as other blocks.
            long entry;
            Reservation r = null;
            try {
                if (entrySize <= Heap.maxUnitSize()) {
                    entry = heap.reserveUnit(entrySize);
                } else {
                    r = heap.reserve(entrySize);
                    entry = r.handle();
                }
            } catch (Heap.OutOfSpace e) {
                throw new NoSpace();
            }
            try {
                // Order: the entry is written and flushed first; the commit drains it before the
                // first word of the batch that publishes it, so a published entry is always whole.
                EntryFormat.write(memory, entry, key, value, expiresAt, scratchOf(s));
                memory.flush(entry, entrySize);
                RedoBatch batch = batchOf(s);
                if (r == null) {
                    heap.addPublishUnit(entry, batch);
                } else {
                    heap.addPublish(r, batch);
                }
                boolean reusedTombstone = oldEntry == 0 && memory.getLong(slot) == TOMBSTONE;
                batch.set(slot, entry | (tagOf(hash) << 48));
                Heap.Release old = oldEntry != 0 ? heap.addFree(oldEntry, batch) : null;
                long oldBytes = oldEntry != 0 ? entryBytes(s, oldEntry) : 0;
                addCounters(batch, s, oldEntry == 0 ? 1 : 0, entrySize - oldBytes);
                lanes.commit(batch);
                if (r != null) {
                    heap.published(r);
                }
                if (old != null) {
                    heap.freed(old);
                }
                if (reusedTombstone) {
                    tombstones[s]--;
                }
            } catch (RuntimeException | Error e) {
                if (r == null) {
                    heap.cancelUnit(entry);
                } else {
                    heap.cancel(r);
                }
                throw e;
            }
            return mode == Mode.REPLACE ? value : null;
        } finally {
            unlockAfterWrite(s);
            helpGrow();
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
                || memory.getInt(entry + 4) != key.length || memory.getInt(entry + 8) != value.length
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
            EntryFormat.write(memory, entry, key, value, expiresAt, scratchOf(s));
            memory.flush(entry, entrySize);
            rewrites.commit(lane);
        } catch (RuntimeException | Error e) {
            rewrites.abort(lane);
            throw e;
        }
        return true;
    }

    /** Removes {@code key}, or only if it holds {@code expected} when that is not null. */
    public boolean remove(byte[] key, byte[] expected) {
        long hash = KeyHash.of(key);
        int s = stripeOf(hash);
        lockForWrite(s);
        try {
            moveIfBehind(s);
            long slot = findSlot(s, hash, key);
            if (slot < 0) {
                return false;
            }
            long entry = memory.getLong(slot) & HANDLE_MASK;
            if (expected != null && !Arrays.equals(intactValue(entry, key), expected)) {
                return false;
            }
            boolean wasExpired = expired(memory.getLong(entry + 16));
            removeSlot(s, slot, entry);
            return !wasExpired;
        } finally {
            unlockAfterWrite(s);
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
        long size = stripeSize(s);
        long region = region(s);
        long next = region + 8 * ((slot - region + 8) / 8 & (size - 1));
        boolean emptyAfter = memory.getLong(next) == EMPTY;
        RedoBatch batch = batchOf(s);
        batch.set(slot, emptyAfter ? EMPTY : TOMBSTONE);
        Heap.Release release = heap.addFree(entry, batch);
        addCounters(batch, s, -1, -bytes);
        lanes.commit(batch);
        heap.freed(release);
        if (!emptyAfter) {
            tombstones[s]++;
            return bytes;
        }
        // Back to the region's start only (not around), so the slots emptied are one range to flush.
        long first = slot;
        while (first > region && memory.getLong(first - 8) == TOMBSTONE) {
            first -= 8;
            // Not logged: a tombstone or an empty slot here reads the same to every probe, so a
            // crash may keep or lose this store and the flush below.
            memory.putLongAtomic(first, EMPTY);
            if (tombstones[s] > 0) { // the count starts at 0 on open, tombstones left before it uncounted
                tombstones[s]--;
            }
        }
        if (first < slot) {
            memory.flush(first, slot - first);
        }
        return bytes;
    }

    /** The bytes {@code entry} counts for in stripe {@code s}'s total; caller holds the stripe's lock. */
    private long entryBytes(int s, long entry) {
        int keyLength = memory.getInt(entry + 4);
        int valueLength = memory.getInt(entry + 8);
        if (plausible(entry, keyLength, valueLength)) {
            return EntryFormat.HEADER + (long) keyLength + valueLength;
        }
        // Damaged lengths cannot say what the entry was counted for; the stripe's total can: it is
        // what the total holds beyond the other entries (a walk of one stripe, on this rare path).
        long others = 0;
        long size = stripeSize(s);
        long region = region(s);
        for (long i = 0; i < size; i++) {
            long v = memory.getLong(region + 8 * i);
            long other = v & HANDLE_MASK;
            if (v != EMPTY && v != TOMBSTONE && other != entry) {
                others += EntryFormat.HEADER + (long) memory.getInt(other + 4) + memory.getInt(other + 8);
            }
        }
        return memory.getLong(stripeBytesOffset(s)) - others;
    }

    /** Adds the stripe's counter words that change to the batch; an unchanged word is not logged. */
    private void addCounters(RedoBatch batch, int s, long entries, long bytes) {
        if (entries != 0) {
            long word = stripeWord(s);
            batch.set(stripeWordOffset(s), (((word >>> 8) + entries) << 8) | (word & 1));
        }
        if (bytes != 0) {
            batch.set(stripeBytesOffset(s), memory.getLong(stripeBytesOffset(s)) + bytes);
        }
    }

    /** The stripe's reusable batch, emptied; only the holder of the stripe's lock may use it. */
    private RedoBatch batchOf(int s) {
        RedoBatch batch = batches[s];
        if (batch == null) {
            batch = new RedoBatch();
            batches[s] = batch;
        }
        batch.clear();
        return batch;
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

    /** The slot a new key goes to: the first tombstone or empty slot of its probe sequence. */
    private long freeSlot(int s, long hash) {
        long size = stripeSize(s);
        long region = region(s);
        long start = position(hash, size);
        for (long i = 0; i < size; i++) {
            long slot = region + 8 * ((start + i) & (size - 1));
            long v = memory.getLong(slot);
            if (v == EMPTY || v == TOMBSTONE) {
                return slot;
            }
        }
        throw new IllegalStateException("stripe " + s + " is full despite growth");
    }

    // ---------------------------------------------------------------- growth

    /** Ensures the stripe has a free slot for one more key, growing the table if needed. */
    private void makeRoom(int s) {
        moveIfBehind(s);
        if (!crowded(s)) {
            return;
        }
        if (moved.get() < STRIPES) {
            finishGrowth();
        }
        long size = stripeSize(s);
        // Grow when live keys fill half the stripe; otherwise rebuild at the same size to drop tombstones.
        startGrowth(count(s) * 2 + 2 > size ? size * 2 : size);
        moveIfBehind(s);
    }

    private boolean crowded(int s) {
        return (count(s) + tombstones[s] + 1) * 4 > stripeSize(s) * 3;
    }

    /**
     * Moves every stripe still behind. No deadlock: a writer moves its own stripe before it can
     * wait here, so a stripe still behind is held only by a writer about to move it.
     */
    private void finishGrowth() {
        for (int t = 0; t < STRIPES && moved.get() < STRIPES; t++) {
            if ((stripeWord(t) & 1) != tables.current() && !locks[t].isHeldByCurrentThread()) {
                lockForWrite(t);
                try {
                    moveIfBehind(t);
                } finally {
                    unlockAfterWrite(t);
                }
            }
        }
    }

    private void startGrowth(long stripeSize) {
        growLock.lock();
        try {
            Tables t = tables;
            if (moved.get() < STRIPES) {
                return; // growth under way: stripes move into its table
            }
            int next = 1 - t.current();
            Reservation r;
            try {
                r = heap.reserve(tableBytes(stripeSize));
            } catch (Heap.OutOfSpace e) {
                throw new NoSpace();
            }
            RedoBatch batch = new RedoBatch();
            Heap.Release oldTable = null;
            try {
                // The new table is not zeroed here (that took a pass over all of it under a stripe
                // lock): nothing reads a stripe's region of it before that stripe has moved in, and
                // moving zeroes the region, copies the slots and flushes them before the one store
                // that switches the stripe over (moveIfBehind).
                heap.addPublish(r, batch);
                // The table before last is empty of stripes (the last growth finished): free it now.
                if (t.handle()[next] != 0) {
                    oldTable = heap.addFree(t.handle()[next], batch);
                }
                batch.set(header + 8 + 16L * next, r.handle());
                batch.set(header + 16 + 16L * next, stripeSize);
                batch.set(header + 40, next);
                lanes.commit(batch);
            } catch (RuntimeException | Error e) {
                heap.cancel(r);
                throw e;
            }
            heap.published(r);
            if (oldTable != null) {
                heap.freed(oldTable);
            }
            long[] handles = t.handle().clone();
            long[] sizes = t.stripeSize().clone();
            handles[next] = r.handle();
            sizes[next] = stripeSize;
            moved.set(0);
            tables = new Tables(handles, sizes, next);
        } finally {
            growLock.unlock();
        }
    }

    /** Moves stripe {@code s} into the current table if it is not there yet; caller holds its write lock. */
    private void moveIfBehind(int s) {
        Tables t = tables;
        long word = stripeWord(s);
        int from = (int) (word & 1);
        if (from == t.current()) {
            return;
        }
        long oldSize = t.stripeSize()[from];
        long oldRegion = t.handle()[from] + 8L * s * oldSize;
        long newSize = t.stripeSize()[t.current()];
        long newRegion = t.handle()[t.current()] + 8L * s * newSize;
        // The new region is invisible until the stripe word flips; a crashed earlier move may have
        // left slots there, so start from zero.
        memory.fill(newRegion, 8 * newSize, (byte) 0);
        for (long i = 0; i < oldSize; i++) {
            long v = memory.getLong(oldRegion + 8 * i);
            if (v == EMPTY || v == TOMBSTONE) {
                continue;
            }
            long start = newSize <= 65536 ? (v >>> 48) & (newSize - 1) : position(KeyHash.of(keyOf(v & HANDLE_MASK)), newSize);
            for (long k = 0; ; k++) {
                long slot = newRegion + 8 * ((start + k) & (newSize - 1));
                if (memory.getLong(slot) == EMPTY) {
                    memory.putLong(slot, v);
                    break;
                }
            }
        }
        memory.flush(newRegion, 8 * newSize);
        // One store switches the stripe to its new region (the commit drains the copy first).
        lanes.commit(new RedoBatch().set(stripeWordOffset(s), (word & ~1L) | t.current()));
        tombstones[s] = 0;
        moved.incrementAndGet();
    }

    /** After a write, moves one more stripe if growth is under way and its lock is free. */
    private void helpGrow() {
        if (moved.get() >= STRIPES) {
            return;
        }
        int s = Math.floorMod(helpCursor.getAndIncrement(), STRIPES);
        if (locks[s].tryLock()) {
            try {
                moveIfBehind(s);
            } finally {
                locks[s].unlock();
            }
        }
    }

    private byte[] keyOf(long entry) {
        int keyLength = memory.getInt(entry + 4);
        if (!plausible(entry, keyLength, 0)) {
            return new byte[0];   // damaged: it will not verify against any key
        }
        byte[] key = new byte[keyLength];
        memory.getBytes(entry + EntryFormat.HEADER, key, 0, key.length);
        return key;
    }

    // ---------------------------------------------------------------- whole map

    public long size() {
        long n = 0;
        for (int s = 0; s < STRIPES; s++) {
            n += count(s);
        }
        return n;
    }

    /** Bytes of all entries (headers, keys and values). */
    public long bytes() {
        long n = 0;
        for (int s = 0; s < STRIPES; s++) {
            n += memory.getLong(stripeBytesOffset(s));
        }
        return n;
    }

    /** Removes every entry, one stripe at a time, so readers wait for one stripe at most. */
    public void clear() {
        for (int s = 0; s < STRIPES; s++) {
            lockForWrite(s);
            try {
                moveIfBehind(s);
                long size = stripeSize(s);
                long region = region(s);
                for (long i = 0; i < size; i++) {
                    long v = memory.getLong(region + 8 * i);
                    if (v != EMPTY && v != TOMBSTONE) {
                        removeSlot(s, region + 8 * i, v & HANDLE_MASK);
                    }
                }
                // No live key is left in the stripe: tombstones can become empty slots in any order.
                memory.fill(region, 8 * size, (byte) 0);
                memory.persist(region, 8 * size);
                tombstones[s] = 0;
            } finally {
                unlockAfterWrite(s);
            }
        }
    }

    /** A live entry, as iteration and eviction see it. */
    public record Entry(byte[] key, byte[] value, long expiresAt) {
    }

    /**
     * The live entries of one stripe, read consistently (used for weakly consistent iteration:
     * the caller walks the stripes one after another).
     */
    public List<Entry> stripeEntries(int s) {
        // Iteration is not a hot path: it reads each stripe under its lock, which keeps it from
        // ever sizing an array by a length read from a block freed meanwhile.
        locks[s].lock();
        try {
            return readStripe(s);
        } finally {
            locks[s].unlock();
        }
    }

    private List<Entry> readStripe(int s) {
        long size = stripeSize(s);
        long region = region(s);
        List<Entry> entries = new ArrayList<>();
        for (long i = 0; i < size; i++) {
            long v = memory.getLong(region + 8 * i);
            if (v == EMPTY || v == TOMBSTONE) {
                continue;
            }
            long entry = v & HANDLE_MASK;
            int keyLength = memory.getInt(entry + 4);
            int valueLength = memory.getInt(entry + 8);
            if (!plausible(entry, keyLength, valueLength)) {
                continue;   // damaged: a reader of the key drops it; iteration only skips it
            }
            byte[] key = keyOf(entry);
            byte[] value = new byte[valueLength];
            memory.getBytes(entry + EntryFormat.HEADER + key.length, value, 0, value.length);
            long expiresAt = memory.getLong(entry + 16);
            if (!expired(expiresAt) && memory.getInt(entry) == EntryFormat.checksum(memory, entry, key, value)) {
                entries.add(new Entry(key, value, expiresAt));
            }
        }
        return entries;
    }

    public static int stripes() {
        return STRIPES;
    }

    /**
     * Removes entries until at most {@code maxEntries} remain and they take at most
     * {@code maxBytes}: expired entries first as the clock hand meets them, then entries not
     * read since the hand last passed (their access bit is clear; passing clears it).
     *
     * @return the number of entries removed
     */
    public synchronized long evict(long maxEntries, long maxBytes) {
        long removed = 0;
        int idleStripes = 0;
        // The totals are summed over all stripes once per stripe the hand visits (writers change
        // them meanwhile) and counted down locally for each removal, not summed per slot.
        long entries = size();
        long bytes = bytes();
        while ((entries > maxEntries || bytes > maxBytes) && idleStripes < 2 * STRIPES) {
            int s = clockStripe;
            boolean removedHere = false;
            lockForWrite(s);
            try {
                moveIfBehind(s);
                long size = stripeSize(s);
                long region = region(s);
                for (; clockSlot < size && (entries > maxEntries || bytes > maxBytes); clockSlot++) {
                    long slot = region + 8L * clockSlot;
                    long v = memory.getLong(slot);
                    if (v == EMPTY || v == TOMBSTONE) {
                        continue;
                    }
                    long entry = v & HANDLE_MASK;
                    if ((v & ACCESSED) != 0 && !expired(memory.getLong(entry + 16))) {
                        memory.compareAndSetLong(slot, v, v & ~ACCESSED); // a second chance
                        continue;
                    }
                    bytes -= removeSlot(s, slot, entry);
                    evicted.increment();
                    removed++;
                    entries--;
                    removedHere = true;
                }
                if (clockSlot >= size) {
                    clockSlot = 0;
                    clockStripe = (s + 1) % STRIPES;
                }
            } finally {
                unlockAfterWrite(s);
            }
            idleStripes = removedHere ? 0 : idleStripes + 1;
            entries = size();
            bytes = bytes();
        }
        return removed;
    }

    public long checksumFailures() {
        return checksumFailures.sum();
    }

    public long expiredRemoved() {
        return expiredRemoved.sum();
    }

    public long evicted() {
        return evicted.sum();
    }

    // ---------------------------------------------------------------- helpers

    private void lockForWrite(int s) {
        locks[s].lock();
    }

    private void unlockAfterWrite(int s) {
        locks[s].unlock();
    }

    /*
     * The seqlock: taking a stripe's lock makes its sequence number odd before the holder's first
     * store, and releasing it makes it even after the last (StripeLock). A reader reads the
     * number, the slots and entry, then the number again after a load-load fence, so none of its
     * reads can move past that second read.
     */

    /** Whether a reader that saw sequence number {@code before} on {@code lock} read a stable stripe. */
    private static boolean unchanged(StripeLock lock, long before) {
        VarHandle.loadLoadFence();
        return lock.sequence() == before;
    }

    private static int stripeOf(long hash) {
        return (int) (hash & (STRIPES - 1));
    }

    private static long tagOf(long hash) {
        return (hash >>> 8) & 0xFFFF;
    }

    /** First slot of the key's probe sequence in a stripe of {@code size} slots. */
    private static long position(long hash, long size) {
        return (hash >>> 8) & (size - 1);
    }

    private long stripeWordOffset(int s) {
        return header + 64 + 8L * s;
    }

    private long stripeBytesOffset(int s) {
        return header + 64 + 8L * STRIPES + 8L * s;
    }

    private long stripeWord(int s) {
        return memory.getLong(stripeWordOffset(s));
    }

    private long count(int s) {
        return stripeWord(s) >>> 8;
    }

    private long stripeSize(int s) {
        return tables.stripeSize()[(int) (stripeWord(s) & 1)];
    }

    private long region(int s) {
        int index = (int) (stripeWord(s) & 1);
        Tables t = tables;
        return t.handle()[index] + 8L * s * t.stripeSize()[index];
    }

    /** The map's tables (one, or two while it grows or until the next growth). */
    public List<Long> tables() {
        List<Long> handles = new ArrayList<>();
        for (long table : tables.handle()) {
            if (table != 0) {
                handles.add(table);
            }
        }
        return handles;
    }

    /**
     * After a machine crash cut a pool open in {@code process} durability any page may be torn:
     * keeps only entries whose block, lengths, checksum and hash verify, drops the rest (freeing
     * their blocks where the allocator still knows them), and recounts every stripe.
     *
     * @return the number of entries dropped
     */
    public long salvage() {
        long dropped = 0;
        for (int s = 0; s < STRIPES; s++) {
            lockForWrite(s);
            try {
                moveIfBehind(s);
                long size = stripeSize(s);
                long region = region(s);
                long entries = 0;
                long bytes = 0;
                for (long i = 0; i < size; i++) {
                    long slot = region + 8 * i;
                    long v = memory.getLong(slot);
                    if (v == EMPTY || v == TOMBSTONE) {
                        continue;
                    }
                    long entry = v & HANDLE_MASK;
                    long entrySize = verifiedSize(s, v, entry);
                    if (entrySize > 0) {
                        entries++;
                        bytes += entrySize;
                        continue;
                    }
                    RedoBatch batch = new RedoBatch().set(slot, TOMBSTONE);
                    long[] block = heap.blockContaining(entry);
                    Heap.Release release = block != null && block[0] == entry ? heap.addFree(entry, batch) : null;
                    lanes.commit(batch);
                    if (release != null) {
                        heap.freed(release);
                    }
                    tombstones[s]++;
                    dropped++;
                }
                lanes.commit(new RedoBatch().set(stripeWordOffset(s), (entries << 8) | (stripeWord(s) & 1))
                        .set(stripeBytesOffset(s), bytes));
            } finally {
                unlockAfterWrite(s);
            }
        }
        checksumFailures.add(dropped);
        return dropped;
    }

    /**
     * Checks every slot of every stripe: the entry is a live block of the right size, its key
     * hashes to the stripe and tag, its checksum holds; and the stripe's counters match.
     *
     * @return the number of entries seen
     */
    public long check(String name, List<String> problems) {
        if (memory.getLong(header) != MAGIC) {
            problems.add("offset " + header + ": map '" + name + "' has no map header magic");
            return 0;
        }
        long seen = 0;
        for (int s = 0; s < STRIPES; s++) {
            locks[s].lock();
            try {
                long size = stripeSize(s);
                long region = region(s);
                long entries = 0;
                long bytes = 0;
                for (long i = 0; i < size; i++) {
                    long slot = region + 8 * i;
                    long v = memory.getLong(slot);
                    if (v == EMPTY || v == TOMBSTONE) {
                        continue;
                    }
                    long entrySize = verifiedSize(s, v, v & HANDLE_MASK);
                    if (entrySize == 0) {
                        problems.add("offset " + slot + ": map '" + name + "' stripe " + s + " slot " + i
                                + " points to " + (v & HANDLE_MASK) + ", which is not a whole entry of this slot");
                        continue;
                    }
                    entries++;
                    bytes += entrySize;
                }
                if (entries != count(s) || bytes != memory.getLong(stripeBytesOffset(s))) {
                    problems.add("offset " + stripeWordOffset(s) + ": map '" + name + "' stripe " + s + " counts "
                            + count(s) + " entries / " + memory.getLong(stripeBytesOffset(s)) + " bytes, holds "
                            + entries + " / " + bytes);
                }
                seen += entries;
            } finally {
                locks[s].unlock();
            }
        }
        return seen;
    }

    /** The entry's size if it verifies as an entry of stripe {@code s} under slot value {@code v}, else 0. */
    private long verifiedSize(int s, long v, long entry) {
        long[] block = heap.blockContaining(entry);
        if (block == null || block[0] != entry || block[1] < EntryFormat.HEADER) {
            return 0;
        }
        int keyLength = memory.getInt(entry + 4);
        int valueLength = memory.getInt(entry + 8);
        if (keyLength < 0 || valueLength < 0 || EntryFormat.HEADER + (long) keyLength + valueLength > block[1]) {
            return 0;
        }
        byte[] key = keyOf(entry);
        byte[] value = new byte[valueLength];
        memory.getBytes(entry + EntryFormat.HEADER + keyLength, value, 0, valueLength);
        long hash = KeyHash.of(key);
        if (stripeOf(hash) != s || tagOf(hash) != (v >>> 48)
                || memory.getInt(entry) != EntryFormat.checksum(memory, entry, key, value)) {
            return 0;
        }
        return EntryFormat.HEADER + (long) keyLength + valueLength;
    }
}
