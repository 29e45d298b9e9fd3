package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenarios' shared shape: a root object of {@value #SLOTS} handle slots, each pointing to a
 * block (or 0) whose first and last words carry a tag, so an observation shows which block a slot
 * holds and whether its contents are whole.
 */
final class RootSlots {

    static final int SLOTS = 8;

    private RootSlots() {}

    /** Allocates the root and returns its handle. */
    static long create(PmemPool pool) {
        return pool.root(8L * SLOTS).handle();
    }

    static long slot(long root, int i) {
        return root + 8L * i;
    }

    /** Writes the tag of {@code tag} into a block of {@code size} requested bytes. */
    static void tag(MemoryBlock block, long size, long tag) {
        block.putLong(0, tag);
        block.putLong(size - 8, ~tag);
    }

    /** The block handles in the slots (zeros left out). */
    static List<Long> handles(PmemPool pool, long root) {
        MemoryBlock r = pool.block(root);
        List<Long> handles = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            long h = r.getLong(8L * i);
            if (h != 0) {
                handles.add(h);
            }
        }
        return handles;
    }

    /**
     * Each slot as {@code "-"} (empty) or {@code handle:tag/endTag} read at the block's first word
     * and at {@code size - 8} for the size recorded in the slot's tag; a slot pointing to free space
     * shows as {@code handle:FREE}.
     */
    static List<String> observe(PmemPool pool, long root) {
        MemoryBlock r = pool.block(root);
        List<String> slots = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            long h = r.getLong(8L * i);
            slots.add(h == 0 ? "-" : describe(pool, h));
        }
        return slots;
    }

    static String describe(PmemPool pool, long handle) {
        MemoryBlock b;
        try {
            b = pool.block(handle);
        } catch (IllegalArgumentException notAllocated) {
            return handle + ":FREE";
        }
        long tag = b.getLong(0);
        long size = tag >>> 40;
        String end = size >= 8 && size <= b.size() ? (b.getLong(size - 8) == ~tag ? "ok" : "TORN") : "?";
        return handle + ":" + Long.toHexString(tag) + "/" + end;
    }

    /** A tag that records the block's requested size (so the end word can be found) and an id. */
    static long tagFor(long size, int id) {
        return (size << 40) | id;
    }
}
