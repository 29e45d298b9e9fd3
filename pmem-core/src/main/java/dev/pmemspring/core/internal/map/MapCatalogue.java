package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.HeapOperation;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The pool's named maps: a block, found from the pool state area, of {@value #CAPACITY} slots
 * {@code [name length (1)][name (47)][map header handle (8)][reserved (8)]}. A map is created by
 * formatting its header and table and then publishing the header's handle into a free slot,
 * with the blocks' allocations, as one redo batch; it is dropped by emptying it, then freeing
 * its tables and header and clearing the slot as one batch.
 */
public final class MapCatalogue {

    public static final int CAPACITY = 64;
    public static final int MAX_NAME_BYTES = 47;
    private static final int SLOT = 64;
    // A slot's fields.
    private static final long NAME_LENGTH = 0;
    private static final long NAME = 1;
    private static final long HEADER_HANDLE = 48;

    private final PersistentMemory memory;
    private final Heap heap;

    public MapCatalogue(PersistentMemory memory, Heap heap) {
        this.memory = memory;
        this.heap = heap;
    }

    /** The header handle of map {@code name}, or 0. */
    public synchronized long find(String name) {
        long block = block();
        if (block == 0) {
            return 0;
        }
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < CAPACITY; i++) {
            long slot = slotAt(block, i);
            long header = memory.getLong(slot + HEADER_HANDLE);
            if (header != 0
                    && wanted.length == (memory.getByte(slot + NAME_LENGTH) & 0xFF)
                    && name.equals(nameAt(slot))) {
                return header;
            }
        }
        return 0;
    }

    public synchronized List<String> names() {
        List<String> names = new ArrayList<>();
        long block = block();
        for (int i = 0; block != 0 && i < CAPACITY; i++) {
            long slot = slotAt(block, i);
            if (memory.getLong(slot + HEADER_HANDLE) != 0) {
                String name = nameAt(slot);
                if (name != null) { // a damaged name: set aside, listed by damagedSlots
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** One line per slot that holds a map but no valid name: such a map cannot be opened (for check). */
    public synchronized List<String> damagedSlots() {
        List<String> damaged = new ArrayList<>();
        long block = block();
        for (int i = 0; block != 0 && i < CAPACITY; i++) {
            long slot = slotAt(block, i);
            if (memory.getLong(slot + HEADER_HANDLE) != 0 && nameAt(slot) == null) {
                damaged.add("offset " + slot + ": map catalogue slot " + i
                        + " names a map but holds no valid name; the map is set aside");
            }
        }
        return damaged;
    }

    /** Every map header handle in the catalogue (for check tools). */
    public synchronized List<Long> headers() {
        List<Long> headers = new ArrayList<>();
        long block = block();
        for (int i = 0; block != 0 && i < CAPACITY; i++) {
            long header = memory.getLong(slotAt(block, i) + HEADER_HANDLE);
            if (header != 0) {
                headers.add(header);
            }
        }
        return headers;
    }

    /**
     * The catalogue's block, or 0 before the first map. Its handle is read from the file: it must
     * name a live block of the catalogue's size before any slot is read through it.
     */
    private long block() {
        long block = memory.getLong(PoolLayout.MAP_CATALOGUE);
        if (block != 0 && !heap.isLiveBlockOf(block, (long) CAPACITY * SLOT)) {
            throw new MapDamageException("offset " + PoolLayout.MAP_CATALOGUE + ": the map catalogue's handle " + block
                    + " names no catalogue block, so no map can be found");
        }
        return block;
    }

    /**
     * Forgets map {@code name} without freeing what it holds, for a map too damaged to empty: its
     * blocks stay allocated (a leak the pool can afford) rather than freed on the word of a damaged table.
     */
    public synchronized void forget(String name) {
        long block = block();
        long header = find(name);
        for (int i = 0; header != 0 && i < CAPACITY; i++) {
            long slot = slotAt(block, i);
            if (memory.getLong(slot + HEADER_HANDLE) == header) {
                // One atomic word, persisted at once: after a crash the map is there or forgotten;
                // nothing else changes, so there is nothing to order it against.
                memory.putLongAtomic(slot + HEADER_HANDLE, 0);
                memory.persist(slot + HEADER_HANDLE, 8);
                return;
            }
        }
    }

    private static long slotAt(long block, int i) {
        return block + (long) i * SLOT;
    }

    /**
     * The map names, read without the heap (before recovery, which writes, may run): null if the
     * catalogue's handle does not lie in the heap area, so the names cannot be read safely.
     */
    public static @Nullable List<String> namesBeforeOpen(PersistentMemory memory, PoolLayout layout) {
        long block = memory.getLong(PoolLayout.MAP_CATALOGUE);
        if (block == 0) {
            return List.of();
        }
        long size = (long) CAPACITY * SLOT;
        if ((block & 7) != 0 || block < layout.chunkDataOffset() || block > layout.heapEnd() - size) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < CAPACITY; i++) {
            long slot = slotAt(block, i);
            if (memory.getLong(slot + HEADER_HANDLE) != 0) {
                String name = nameAt(memory, slot);
                if (name == null) {
                    return null; // a map that cannot be named: nobody can say it is only a cache
                }
                names.add(name);
            }
        }
        return names;
    }

    private @Nullable String nameAt(long slot) {
        return nameAt(memory, slot);
    }

    /** The slot's name, or null if its length or bytes are not a name {@link #create} could have written. */
    private static @Nullable String nameAt(PersistentMemory memory, long slot) {
        int length = memory.getByte(slot + NAME_LENGTH) & 0xFF;
        if (length == 0 || length > MAX_NAME_BYTES) {
            return null;
        }
        byte[] bytes = new byte[length];
        memory.getBytes(slot + NAME, bytes, 0, length);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException damaged) {
            return null;
        }
    }

    /**
     * Creates map {@code name} and returns its header handle.
     *
     * @throws Heap.OutOfSpace if the pool has no room for it
     * @throws IllegalStateException if all {@value #CAPACITY} slots are taken
     */
    public synchronized long create(String name) throws Heap.OutOfSpace {
        byte[] bytes = checkName(name);
        long block = ensureBlock();
        long slot = -1;
        for (int i = 0; i < CAPACITY && slot < 0; i++) {
            if (memory.getLong(slotAt(block, i) + HEADER_HANDLE) == 0) {
                slot = slotAt(block, i);
            }
        }
        if (slot < 0) {
            throw new IllegalStateException("a pool holds at most " + CAPACITY + " maps; drop one first");
        }
        try (HeapOperation op = heap.operation()) {
            long header = op.reserve(MapHeader.SIZE);
            long table = op.reserve(MapHeader.tableBytes(MapHeader.INITIAL_STRIPE_SIZE));
            MapHeader.format(memory, header, table);
            // The name goes into the free slot first: unread until the header handle lands.
            memory.putByte(slot + NAME_LENGTH, (byte) bytes.length);
            memory.putBytes(slot + NAME, bytes, 0, bytes.length);
            memory.flush(slot, HEADER_HANDLE);
            op.set(slot + HEADER_HANDLE, header);
            op.commit();
            return header;
        }
    }

    /** Frees an emptied map's tables and header and forgets its name, as one batch. */
    public synchronized void drop(String name, List<Long> tables) {
        long block = block();
        long header = find(name);
        if (header == 0) {
            return;
        }
        for (int i = 0; i < CAPACITY; i++) {
            long slot = slotAt(block, i);
            if (memory.getLong(slot + HEADER_HANDLE) != header) {
                continue;
            }
            try (HeapOperation op = heap.operation()) {
                for (long table : tables) {
                    op.free(table);
                }
                op.free(header).set(slot + HEADER_HANDLE, 0);
                op.commit();
            }
            return;
        }
    }

    private long ensureBlock() throws Heap.OutOfSpace {
        long block = block();
        if (block != 0) {
            return block;
        }
        try (HeapOperation op = heap.operation()) {
            long fresh = op.reserve((long) CAPACITY * SLOT);
            memory.fill(fresh, (long) CAPACITY * SLOT, (byte) 0);
            memory.flush(fresh, (long) CAPACITY * SLOT);
            op.set(PoolLayout.MAP_CATALOGUE, fresh);
            op.commit();
            return fresh;
        }
    }

    private static byte[] checkName(String name) {
        byte[] bytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(
                    "a map name must have 1 to " + MAX_NAME_BYTES + " UTF-8 bytes: '" + name + "'");
        }
        return bytes;
    }
}
