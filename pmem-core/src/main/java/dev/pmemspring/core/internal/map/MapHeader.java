package dev.pmemspring.core.internal.map;

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

    /** Writes an empty map into a new, unpublished header block and zeroed table. */
    static void format(PersistentMemory memory, long header, long table) {
        memory.fill(header, SIZE, (byte) 0);
        memory.putLong(magicAt(header), MAGIC);
        memory.putLong(tableHandleAt(header, 0), table);
        memory.putLong(tableStripeSizeAt(header, 0), INITIAL_STRIPE_SIZE);
        memory.fill(table, tableBytes(INITIAL_STRIPE_SIZE), (byte) 0);
        memory.flush(header, SIZE);
        memory.flush(table, tableBytes(INITIAL_STRIPE_SIZE));
    }
}
