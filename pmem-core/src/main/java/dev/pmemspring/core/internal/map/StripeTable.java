package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static dev.pmemspring.core.internal.map.MapHeader.STRIPES;

/**
 * The map's index: {@value MapHeader#STRIPES} stripes, each an open-addressing table of its own
 * (linear probing inside the stripe's contiguous region of the current table), with its lock and
 * seqlock. Here live the slot encoding, the probes that find a key's slot or a free one, and the
 * one walk over a stripe's live slots that everything else (growth, clear, iteration, eviction,
 * salvage, check) uses.
 *
 * <p>A slot holds {@code entry handle | access bit (bit 0) | 16 bits of the key's hash << 48};
 * 0 is empty, 2 a tombstone.
 */
final class StripeTable {

    static final long EMPTY = 0;
    static final long TOMBSTONE = 2;
    static final long ACCESSED = 1;
    private static final long HANDLE_MASK = 0x0000_FFFF_FFFF_FFF0L;

    /** The two tables and which is current; immutable, replaced when growth starts. */
    record Tables(long[] handle, long[] stripeSize, int current) {}

    /** What {@link #visitLive} calls for each live slot; returns false to stop the walk. */
    @FunctionalInterface
    interface LiveSlot {
        boolean visit(long index, long slot, long value);
    }

    private final PersistentMemory memory;
    private final long header;
    /** Per stripe: the writers' lock, whose state is also the readers' sequence number. */
    private final StripeLock[] locks = new StripeLock[STRIPES];
    /** Per stripe: tombstones since it last moved; counted from 0 at open (older ones uncounted). */
    final int[] tombstones = new int[STRIPES];

    private volatile Tables tables;

    /** Bounds the entry handles read from slots: a damaged slot must not send a read out of the heap. */
    private final Heap heap;

    StripeTable(PersistentMemory memory, long header, Heap heap) {
        this.memory = memory;
        this.header = header;
        this.heap = heap;
        for (int s = 0; s < STRIPES; s++) {
            locks[s] = new StripeLock();
        }
        tables = new Tables(
                new long[] {
                    memory.getLong(MapHeader.tableHandleAt(header, 0)),
                    memory.getLong(MapHeader.tableHandleAt(header, 1))
                },
                new long[] {
                    memory.getLong(MapHeader.tableStripeSizeAt(header, 0)),
                    memory.getLong(MapHeader.tableStripeSizeAt(header, 1))
                },
                (int) memory.getLong(MapHeader.currentTableAt(header)));
    }

    // ---------------------------------------------------------------- slots

    static boolean isLive(long slotValue) {
        return slotValue != EMPTY && slotValue != TOMBSTONE;
    }

    /** Whether {@code entry}, read from a slot, is an aligned offset with {@code length} bytes inside the heap. */
    boolean holdsEntryIn(long entry, long length) {
        return (entry & 7) == 0 && heap.inHeap(entry, length);
    }

    static long entryOf(long slotValue) {
        return slotValue & HANDLE_MASK;
    }

    /** The value of a slot that holds {@code entry} for a key of this hash. */
    static long slotValue(long entry, long hash) {
        return entry | (tagOf(hash) << 48);
    }

    static int stripeOf(long hash) {
        return (int) (hash & (STRIPES - 1));
    }

    static long tagOf(long hash) {
        return (hash >>> 8) & 0xFFFF;
    }

    static long tagOfSlot(long slotValue) {
        return slotValue >>> 48;
    }

    /** First slot of the key's probe sequence in a stripe of {@code size} slots. */
    static long position(long hash, long size) {
        return (hash >>> 8) & (size - 1);
    }

    // ---------------------------------------------------------------- stripes

    Tables tables() {
        return tables;
    }

    /** Makes {@code next} the tables every stripe is read through; growth's publication, after its commit. */
    void install(Tables next) {
        tables = next;
    }

    StripeLock lock(int s) {
        return locks[s];
    }

    long stripeWordOffset(int s) {
        return MapHeader.stripeWordAt(header, s);
    }

    long stripeBytesOffset(int s) {
        return MapHeader.stripeBytesAt(header, s);
    }

    long stripeWord(int s) {
        return memory.getLong(stripeWordOffset(s));
    }

    long count(int s) {
        return MapHeader.countOf(stripeWord(s));
    }

    long bytes(int s) {
        return memory.getLong(stripeBytesOffset(s));
    }

    /** Entries in the whole map, summed over the stripes' counters (each exact, the sum not a snapshot). */
    long totalCount() {
        long n = 0;
        for (int s = 0; s < STRIPES; s++) {
            n += count(s);
        }
        return n;
    }

    /** Bytes of all entries (headers, keys and values), summed as {@link #totalCount}. */
    long totalBytes() {
        long n = 0;
        for (int s = 0; s < STRIPES; s++) {
            n += bytes(s);
        }
        return n;
    }

    long stripeSize(int s) {
        return tables.stripeSize()[MapHeader.tableOf(stripeWord(s))];
    }

    /** Where stripe {@code s}'s slots are: in the table its stripe word names. */
    long region(int s) {
        int index = MapHeader.tableOf(stripeWord(s));
        Tables t = tables;
        return t.handle()[index] + 8L * s * t.stripeSize()[index];
    }

    /** Where stripe {@code s} starts in a table of {@code stripeSize} slots per stripe. */
    static long region(long table, int s, long stripeSize) {
        return table + 8L * s * stripeSize;
    }

    /** The map's tables (one, or two while it grows or until the next growth). */
    List<Long> tableHandles() {
        List<Long> handles = new ArrayList<>();
        for (long table : tables.handle()) {
            if (table != 0) {
                handles.add(table);
            }
        }
        return handles;
    }

    // ---------------------------------------------------------------- probes and walks

    /**
     * The slot of stripe {@code s} that holds {@code key}, or -1. Compares keys in place. Unlocked
     * readers call it under the stripe's sequence number and must check that afterwards; garbage
     * read meanwhile may throw, which they treat as a retry.
     */
    long findSlot(int s, long hash, byte[] key) {
        int index = MapHeader.tableOf(stripeWord(s));
        Tables t = tables;
        long size = t.stripeSize()[index];
        long region = region(t.handle()[index], s, size);
        long tag = tagOf(hash);
        long start = position(hash, size);
        for (long i = 0; i < size; i++) {
            long slot = region + 8 * ((start + i) & (size - 1));
            long v = memory.getLong(slot);
            if (v == EMPTY) {
                return -1;
            }
            if (v == TOMBSTONE || tagOfSlot(v) != tag) {
                continue;
            }
            long entry = entryOf(v);
            if (!holdsEntryIn(entry, EntryFormat.HEADER + key.length)) {
                continue; // a damaged slot: it names no entry, so not this key's
            }
            if (EntryFormat.keyLength(memory, entry) == key.length
                    && memory.bytesEqual(EntryFormat.keyAt(entry), key)) {
                return slot;
            }
        }
        return -1;
    }

    /** The slot a new key goes to: the first tombstone or empty slot of its probe sequence. */
    long freeSlot(int s, long hash) {
        long size = stripeSize(s);
        long region = region(s);
        long start = position(hash, size);
        for (long i = 0; i < size; i++) {
            long slot = region + 8 * ((start + i) & (size - 1));
            long v = memory.getLong(slot);
            if (!isLive(v)) {
                return slot;
            }
        }
        // Growth keeps a stripe below its load limit by its counters: a full one means they are damaged.
        throw new MapDamageException("offset " + stripeWordOffset(s) + ": stripe " + s + " has no free slot"
                + " although its counters say it has room; the stripe's counters or slots are damaged");
    }

    /**
     * Calls {@code visitor} for each live slot of stripe {@code s}, in slot order from index
     * {@code from}, until it returns false; caller holds the stripe's lock. The visitor may remove
     * the slot it is given (the walk reads each slot once, when it reaches it).
     *
     * @return the index after the last slot visited, or the stripe's size if the walk ran to its end
     */
    long visitLive(int s, long from, LiveSlot visitor) {
        return visit(s, from, visitor, false);
    }

    /**
     * {@link #visitLive}, including live slots whose entry handle points out of the heap (damaged),
     * for the recovery and check that judge every slot themselves.
     */
    long visitLiveOrDamaged(int s, long from, LiveSlot visitor) {
        return visit(s, from, visitor, true);
    }

    private long visit(int s, long from, LiveSlot visitor, boolean damagedToo) {
        long size = stripeSize(s);
        long region = region(s);
        for (long i = from; i < size; i++) {
            long slot = region + 8 * i;
            long v = memory.getLong(slot);
            if (isLive(v)
                    && (damagedToo || holdsEntryIn(entryOf(v), EntryFormat.HEADER))
                    && !visitor.visit(i, slot, v)) {
                return i + 1;
            }
        }
        return size;
    }

    /*
     * The seqlock: taking a stripe's lock makes its sequence number odd before the holder's first
     * store, and releasing it makes it even after the last (StripeLock). A reader reads the
     * number, the slots and entry, then the number again after a load-load fence, so none of its
     * reads can move past that second read.
     */

    /** Whether a reader that saw sequence number {@code before} on {@code lock} read a stable stripe. */
    static boolean unchanged(StripeLock lock, long before) {
        VarHandle.loadLoadFence();
        return lock.sequence() == before;
    }
}
