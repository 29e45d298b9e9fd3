package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.memory.PersistentMemory;

/**
 * The map's header block: where each of its fields lives. The map keeps two tables (the current
 * one, and the one before it while stripes still move out of it or until the next growth), and
 * one word per stripe saying which table holds it and how many entries it has.
 *
 * <pre>
 *   +0                  magic "PMEMMAP1"
 *   +8, +16             table 0: handle, slots per stripe
 *   +24, +32            table 1: handle, slots per stripe
 *   +40                 index of the current table
 *   +48                 the map's id: a random non-zero 32-bit number every entry carries (0 in
 *                       maps made before entries carried one)
 *   +64 + 8 s           stripe s: entry count &lt;&lt; 8 | index of the table that holds it
 *   +64 + 8 S + 8 s     stripe s: bytes of its entries
 * </pre>
 */
final class MapHeader {

    static final int STRIPES = 256;
    static final long MAGIC = 0x3150414D4D454D50L; // "PMEMMAP1"
    static final long SIZE = 64 + 16L * STRIPES;
    static final int INITIAL_STRIPE_SIZE = 16;

    private static final long TABLES = 8;
    private static final long TABLE_FIELDS = 16;
    private static final long CURRENT_TABLE = 40;
    private static final long ID = 48;
    private static final long STRIPE_WORDS = 64;
    private static final long STRIPE_BYTES = STRIPE_WORDS + 8L * STRIPES;

    private MapHeader() {}

    static long magicAt(long header) {
        return header;
    }

    /** The field holding table {@code index}'s handle. */
    static long tableHandleAt(long header, int index) {
        return header + TABLES + TABLE_FIELDS * index;
    }

    /** The field holding table {@code index}'s slots per stripe. */
    static long tableStripeSizeAt(long header, int index) {
        return header + TABLES + TABLE_FIELDS * index + 8;
    }

    static long currentTableAt(long header) {
        return header + CURRENT_TABLE;
    }

    /** The field holding the map's id, which its entries carry so that one map never reads another's. */
    static long idAt(long header) {
        return header + ID;
    }

    /** The field holding stripe {@code s}'s word: its count and its table. */
    static long stripeWordAt(long header, int s) {
        return header + STRIPE_WORDS + 8L * s;
    }

    /** The field holding the bytes of stripe {@code s}'s entries. */
    static long stripeBytesAt(long header, int s) {
        return header + STRIPE_BYTES + 8L * s;
    }

    static long countOf(long stripeWord) {
        return stripeWord >>> 8;
    }

    static int tableOf(long stripeWord) {
        return (int) (stripeWord & 1);
    }

    static long stripeWord(long count, int table) {
        return count << 8 | table;
    }

    static long tableBytes(long stripeSize) {
        return 8L * STRIPES * stripeSize;
    }

    /**
     * What is wrong with the header at {@code header}, or null if its fields hold together: the block
     * is live and large enough, the magic is there, each table is a live block of the size its
     * stripe size gives (a power of two), and every stripe names a table that exists. Read before
     * any slot is, so that a damaged word never sends a read out of the pool.
     */
    static String damage(PersistentMemory memory, Heap heap, long header) {
        if (!heap.isLiveBlockOf(header, SIZE)) {
            return "offset " + header + ": the map header is no live block of " + SIZE + " bytes";
        }
        if (memory.getLong(magicAt(header)) != MAGIC) {
            return "offset " + header + ": the map header has no magic";
        }
        boolean[] exists = new boolean[2];
        for (int t = 0; t < 2; t++) {
            long table = memory.getLong(tableHandleAt(header, t));
            if (table == 0) {
                continue;
            }
            long stripeSize = memory.getLong(tableStripeSizeAt(header, t));
            if (stripeSize < INITIAL_STRIPE_SIZE
                    || Long.bitCount(stripeSize) != 1
                    || stripeSize > 1L << 40 // beyond any pool, and tableBytes would overflow
                    || !heap.isLiveBlockOf(table, tableBytes(stripeSize))) {
                return "offset " + tableHandleAt(header, t) + ": table " + t + " of the map (handle " + table + ", "
                        + stripeSize + " slots per stripe) is no live table block";
            }
            exists[t] = true;
        }
        long current = memory.getLong(currentTableAt(header));
        if (current < 0 || current > 1 || !exists[(int) current]) {
            return "offset " + currentTableAt(header) + ": the map's current table " + current + " does not exist";
        }
        for (int s = 0; s < STRIPES; s++) {
            if (!exists[tableOf(memory.getLong(stripeWordAt(header, s)))]) {
                return "offset " + stripeWordAt(header, s) + ": stripe " + s
                        + " of the map names a table that does not exist";
            }
        }
        return null;
    }

    private static long newId() {
        int id;
        do {
            id = java.util.concurrent.ThreadLocalRandom.current().nextInt();
        } while (id == 0);
        return id & 0xFFFFFFFFL;
    }

    /** Writes an empty map into a new, unpublished header block and zeroed table. */
    static void format(PersistentMemory memory, long header, long table) {
        memory.fill(header, SIZE, (byte) 0);
        memory.putLong(magicAt(header), MAGIC);
        memory.putLong(tableHandleAt(header, 0), table);
        memory.putLong(tableStripeSizeAt(header, 0), INITIAL_STRIPE_SIZE);
        memory.putLong(idAt(header), newId());
        memory.fill(table, tableBytes(INITIAL_STRIPE_SIZE), (byte) 0);
        memory.flush(header, SIZE);
        memory.flush(table, tableBytes(INITIAL_STRIPE_SIZE));
    }
}
