package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.HeapOperation;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.log.RedoBatch;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.List;

import static dev.pmemspring.core.internal.map.MapHeader.STRIPES;

/**
 * What the map does with a pool it cannot trust: {@link #salvage} after a machine crash cut a
 * pool open in {@code process} durability (any page may be torn), and {@link #check} for the
 * check tool. Both verify each entry the same way: a live block of the heap, of a size its lengths
 * fit, whose key hashes to the stripe and tag of its slot, and whose checksum holds.
 */
final class MapRecovery {

    private final PersistentMemory memory;
    private final Heap heap;
    private final Lanes lanes;
    private final long header;
    private final StripeTable table;
    private final EntryReader entries;
    private final StripeGrowth growth;

    MapRecovery(
            PersistentMemory memory,
            Heap heap,
            Lanes lanes,
            long header,
            StripeTable table,
            EntryReader entries,
            StripeGrowth growth) {
        this.memory = memory;
        this.heap = heap;
        this.lanes = lanes;
        this.header = header;
        this.table = table;
        this.entries = entries;
        this.growth = growth;
    }

    /** Entries and bytes of one stripe, as a walk counts them. */
    private static final class Tally {
        long entries;
        long bytes;
    }

    /**
     * Keeps only entries that verify, drops the rest (freeing their blocks where the allocator
     * still knows them), and recounts every stripe.
     *
     * @return the number of entries dropped
     */
    long salvage() {
        long[] dropped = {0};
        for (int s = 0; s < STRIPES; s++) {
            StripeLock lock = table.lock(s);
            lock.lock();
            try {
                growth.moveIfBehind(s);
                Tally kept = new Tally();
                int stripe = s;
                table.visitLiveOrDamaged(s, 0, (index, slot, v) -> {
                    long entry = StripeTable.entryOf(v);
                    long entrySize = verifiedSize(stripe, v, entry);
                    if (entrySize > 0) {
                        kept.entries++;
                        kept.bytes += entrySize;
                        return true;
                    }
                    // The tombstone and the free in one batch: a crash keeps both or neither.
                    try (HeapOperation op = heap.operation()) {
                        Heap.Extent block = heap.blockContaining(entry);
                        if (block != null && block.handle() == entry) {
                            op.free(entry);
                        }
                        op.set(slot, StripeTable.TOMBSTONE).commit();
                    }
                    table.tombstones[stripe]++;
                    dropped[0]++;
                    return true;
                });
                long word = table.stripeWord(s);
                lanes.commit(new RedoBatch()
                        .set(table.stripeWordOffset(s), MapHeader.stripeWord(kept.entries, MapHeader.tableOf(word)))
                        .set(table.stripeBytesOffset(s), kept.bytes));
            } finally {
                lock.unlock();
            }
        }
        return dropped[0];
    }

    /**
     * Checks every slot of every stripe, and that the stripe's counters match what it holds.
     *
     * @return the number of entries seen
     */
    long check(String name, List<String> problems) {
        if (memory.getLong(MapHeader.magicAt(header)) != MapHeader.MAGIC) {
            problems.add("offset " + header + ": map '" + name + "' has no map header magic");
            return 0;
        }
        long seen = 0;
        for (int s = 0; s < STRIPES; s++) {
            StripeLock lock = table.lock(s);
            lock.lock();
            try {
                Tally held = new Tally();
                int stripe = s;
                table.visitLiveOrDamaged(s, 0, (index, slot, v) -> {
                    long entrySize = verifiedSize(stripe, v, StripeTable.entryOf(v));
                    if (entrySize == 0) {
                        problems.add("offset " + slot + ": map '" + name + "' stripe " + stripe + " slot " + index
                                + " points to " + StripeTable.entryOf(v) + ", which is not a whole entry of this slot");
                    } else {
                        held.entries++;
                        held.bytes += entrySize;
                    }
                    return true;
                });
                if (held.entries != table.count(s) || held.bytes != table.bytes(s)) {
                    problems.add("offset " + table.stripeWordOffset(s) + ": map '" + name + "' stripe " + s + " counts "
                            + table.count(s) + " entries / " + table.bytes(s) + " bytes, holds "
                            + held.entries + " / " + held.bytes);
                }
                seen += held.entries;
            } finally {
                lock.unlock();
            }
        }
        return seen;
    }

    /** The entry's size if it verifies as an entry of stripe {@code s} under slot value {@code v}, else 0. */
    private long verifiedSize(int s, long v, long entry) {
        Heap.Extent block = heap.blockContaining(entry);
        if (block == null || block.handle() != entry || block.size() < EntryFormat.HEADER) {
            return 0;
        }
        int keyLength = EntryFormat.keyLength(memory, entry);
        int valueLength = EntryFormat.valueLength(memory, entry);
        if (keyLength < 0 || valueLength < 0 || EntryFormat.size(keyLength, valueLength) > block.size()) {
            return 0;
        }
        byte[] key = entries.key(entry);
        byte[] value = entries.valueOf(entry, keyLength, valueLength);
        long hash = KeyHash.of(key);
        if (StripeTable.stripeOf(hash) != s
                || StripeTable.tagOf(hash) != StripeTable.tagOfSlot(v)
                || !entries.intact(entry, key, value)) {
            return 0;
        }
        return EntryFormat.size(keyLength, valueLength);
    }
}
