package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOutOfMemoryException;
import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The allocator's invariants on a recovered pool, given the blocks the program can reach:
 *
 * <ul>
 *   <li>every reachable block is allocated ({@code sizeOf} works on it): nothing published
 *       points to free space;</li>
 *   <li>no two reachable blocks overlap;</li>
 *   <li>the allocator counts exactly the reachable blocks: nothing leaked;</li>
 *   <li>new allocations (of the reachable blocks' sizes and a few others) never overlap a reachable
 *       block or each other: nothing free is handed out twice.</li>
 * </ul>
 *
 * The root object and every lane's undo-log extensions are reachable without the program's help
 * and are added here; an extension must be an allocated 64 KiB block that the program does not
 * also reach.
 */
public final class HeapInvariants {

    private static final long[] PROBE_SIZES = {16, 64, 256, 4096, 300 * 1024};
    private static final int PROBES_PER_SIZE = 3;
    private static final long UNDO_EXTENSION_SIZE = 64 * 1024;

    private HeapInvariants() {}

    /** Handles of the root object and of every lane's undo-log extension segments. */
    public static List<Long> poolOwned(PmemPool pool, PersistentMemory raw, PoolLayout layout) {
        List<Long> owned = new ArrayList<>();
        if (pool.rootSize() > 0) {
            owned.add(raw.getLong(PoolLayout.ROOT_HANDLE));
        }
        owned.addAll(undoExtensions(raw, layout).keySet());
        return owned;
    }

    /**
     * Every lane's undo-log extension segments (handle to lane), following each lane's chain of
     * {@code next} fields. A link must be 0 or an 8-aligned heap offset; anything else is reported
     * (the engine stops at such a link, but a correct pool never writes one).
     */
    public static Map<Long, Integer> undoExtensions(PersistentMemory raw, PoolLayout layout) {
        Map<Long, Integer> extensions = new TreeMap<>();
        for (int lane = 0; lane < layout.laneCount(); lane++) {
            long next = raw.getLong(layout.undoOffset(lane) + 8);
            for (int hops = 0; next != 0; hops++) {
                if (hops > 10_000 || (next & 7) != 0 || next < layout.chunkDataOffset() || next >= layout.heapEnd()) {
                    throw new AssertionError("lane " + lane + "'s undo log chain leads to " + next
                            + ", which is not a block of the heap");
                }
                Integer other = extensions.put(next, lane);
                if (other != null) {
                    throw new AssertionError("block " + next + " is linked twice as an undo-log extension (lanes "
                            + other + " and " + lane + "): a cycle or a shared segment");
                }
                next = raw.getLong(next);
            }
        }
        return extensions;
    }

    /**
     * Checks the invariants. {@code reachable} are the handles the program holds (without the root
     * and undo extensions, which are added).
     */
    public static void check(PmemPool pool, PersistentMemory raw, PoolLayout layout, Collection<Long> reachable) {
        TreeSet<Long> handles = new TreeSet<>(reachable);
        if (pool.rootSize() > 0) {
            handles.add(raw.getLong(PoolLayout.ROOT_HANDLE));
        }
        handles.remove(0L);
        Map<Long, Integer> extensions = undoExtensions(raw, layout);
        for (Map.Entry<Long, Integer> e : extensions.entrySet()) {
            if (handles.contains(e.getKey())) {
                throw new AssertionError("block " + e.getKey() + " is reachable by the program and also linked as an"
                        + " undo-log segment of lane " + e.getValue() + ": a transaction that fills the lane's log"
                        + " will write undo entries over it");
            }
            long size;
            try {
                size = pool.sizeOf(e.getKey());
            } catch (IllegalArgumentException notAllocated) {
                throw new AssertionError(
                        "lane " + e.getValue() + "'s undo-log segment " + e.getKey() + " is not an allocated block");
            }
            if (size < UNDO_EXTENSION_SIZE) {
                throw new AssertionError("lane " + e.getValue() + "'s undo-log segment " + e.getKey()
                        + " is a block of " + size + " bytes, smaller than a segment");
            }
        }
        handles.addAll(extensions.keySet());
        TreeMap<Long, Long> live = new TreeMap<>();
        for (long handle : handles) {
            long size;
            try {
                size = pool.sizeOf(handle);
            } catch (IllegalArgumentException e) {
                throw new AssertionError("reachable block " + handle + " (" + new PoolRegions(layout).region(handle)
                        + ") is not allocated: a published handle points to free space (" + e.getMessage() + ")");
            }
            live.put(handle, size);
        }
        assertNoOverlap(live, "reachable blocks");
        long objects = pool.stats().objects();
        if (objects != live.size()) {
            throw new AssertionError(
                    "the allocator counts " + objects + " allocated blocks but " + live.size() + " are reachable ("
                            + live.keySet() + "): " + (objects > live.size() ? "leaked blocks" : "miscount"));
        }
        probe(pool, live);
    }

    private static void probe(PmemPool pool, TreeMap<Long, Long> live) {
        TreeSet<Long> sizes = new TreeSet<>(live.values());
        for (long s : PROBE_SIZES) {
            sizes.add(s);
        }
        TreeMap<Long, Long> taken = new TreeMap<>(live);
        for (long size : sizes) {
            for (int i = 0; i < PROBES_PER_SIZE; i++) {
                long handle;
                try {
                    handle = pool.allocate(size);
                } catch (PoolOutOfMemoryException full) {
                    break;
                }
                long got = pool.sizeOf(handle);
                Map.Entry<Long, Long> before = taken.floorEntry(handle + got - 1);
                if (before != null && before.getKey() + before.getValue() > handle) {
                    throw new AssertionError("a new allocation of " + size + " bytes at " + handle + " (+" + got
                            + ") overlaps the " + (live.containsKey(before.getKey()) ? "reachable" : "newly allocated")
                            + " block at " + before.getKey() + " (+" + before.getValue() + ")");
                }
                taken.put(handle, got);
            }
        }
    }

    static void assertNoOverlap(TreeMap<Long, Long> blocks, String what) {
        Map.Entry<Long, Long> previous = null;
        for (Map.Entry<Long, Long> e : blocks.entrySet()) {
            if (previous != null && previous.getKey() + previous.getValue() > e.getKey()) {
                throw new AssertionError(what + " overlap: " + previous.getKey() + " (+" + previous.getValue()
                        + ") and " + e.getKey() + " (+" + e.getValue() + ")");
            }
            previous = e;
        }
    }
}
