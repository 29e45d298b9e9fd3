package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * One map entry, one heap block:
 *
 * <pre>
 *   +0   CRC32C of bytes 4.. end of value
 *   +4   key length
 *   +8   value length
 *   +12  the map's id ({@link MapHeader#idAt}; 0 in maps made before entries carried one)
 *   +16  expiry, epoch milliseconds (0 = never)
 *   +24  key bytes, then value bytes
 * </pre>
 *
 * An entry is written before it is published. An update publishes a new entry, except one of
 * exactly the same size, which rewrites the entry where it is, under the stripe's lock and
 * through the undo log (so a crash leaves the old bytes or the new); unlocked readers see the
 * stripe's sequence number move and retry. So the checksum catches damage, and a reader never
 * uses an entry half-written.
 */
final class EntryFormat {

    static final int HEADER = 24;
    private static final long CHECKSUM = 0;
    private static final long KEY_LENGTH = 4;
    private static final long VALUE_LENGTH = 8;
    private static final long MAP_ID = 12;
    private static final long EXPIRES_AT = 16;
    // A reader checks an entry in a copy; the pool's words are in the CPU's byte order.
    private static final VarHandle INTS_IN_ARRAY =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private EntryFormat() {}

    static int storedChecksum(PersistentMemory memory, long entry) {
        return memory.getInt(entry + CHECKSUM);
    }

    static int keyLength(PersistentMemory memory, long entry) {
        return memory.getInt(entry + KEY_LENGTH);
    }

    static int valueLength(PersistentMemory memory, long entry) {
        return memory.getInt(entry + VALUE_LENGTH);
    }

    static int mapId(PersistentMemory memory, long entry) {
        return memory.getInt(entry + MAP_ID);
    }

    static long expiresAt(PersistentMemory memory, long entry) {
        return memory.getLong(entry + EXPIRES_AT);
    }

    /** Where the checked bytes start (see {@link #checkedLength}). */
    static long keyLengthAt(long entry) {
        return entry + KEY_LENGTH;
    }

    /** Where the key's bytes start. */
    static long keyAt(long entry) {
        return entry + HEADER;
    }

    /** Where the value's bytes start, after a key of {@code keyLength} bytes. */
    static long valueAt(long entry, int keyLength) {
        return entry + HEADER + keyLength;
    }

    /**
     * The most key and value bytes one entry holds: a reader copies them, with the header after the
     * checksum, into one Java array.
     */
    static final long MAX_KEY_AND_VALUE = Integer.MAX_VALUE - 8 - (HEADER - KEY_LENGTH);

    /**
     * The bytes the checksum covers, from +4 to the end of the value (lengths, id, expiry, key and
     * value): what a reader copies out of the pool in one piece and verifies with one CRC.
     */
    static int checkedLength(int keyLength, int valueLength) {
        return HEADER - (int) KEY_LENGTH + keyLength + valueLength;
    }

    /** Where the value starts in a copy of the checked bytes (see {@link #checkedLength}). */
    static int valueInChecked(int keyLength) {
        return HEADER - (int) KEY_LENGTH + keyLength;
    }

    /** The map id in a copy of the checked bytes. */
    static int mapIdInChecked(byte[] checked) {
        return (int) INTS_IN_ARRAY.get(checked, (int) (MAP_ID - KEY_LENGTH));
    }

    /** The checksum of the first {@code length} bytes of a copy of the checked bytes. */
    static int checksumOfChecked(byte[] checked, int length) {
        CRC32C crc = new CRC32C();
        crc.update(checked, 0, length);
        return (int) crc.getValue();
    }

    /** The size an entry with these lengths takes (header, key and value). */
    static long size(int keyLength, int valueLength) {
        return HEADER + (long) keyLength + valueLength;
    }

    static long size(byte[] key, byte[] value) {
        return size(key.length, value.length);
    }

    /**
     * What a writer reuses from one entry to the next instead of allocating it per put; only one
     * thread at a time may use one (the map keeps one per stripe, used under the stripe's lock).
     */
    static final class Scratch {
        private final CRC32C crc = new CRC32C();
        private final byte[] header = new byte[HEADER - (int) KEY_LENGTH];
    }

    static void write(
            PersistentMemory memory, long entry, int mapId, byte[] key, byte[] value, long expiresAt, Scratch scratch) {
        memory.putInt(entry + KEY_LENGTH, key.length);
        memory.putInt(entry + VALUE_LENGTH, value.length);
        // The checksum covers the id: a torn write that leaves another map's whole entry where a
        // slot points verifies as that entry, and the id tells it is not this map's.
        memory.putInt(entry + MAP_ID, mapId);
        memory.putLong(entry + EXPIRES_AT, expiresAt);
        memory.putBytes(keyAt(entry), key, 0, key.length);
        memory.putBytes(valueAt(entry, key.length), value, 0, value.length);
        // The checksum covers every byte after it, so it is computed and stored last.
        memory.putInt(entry + CHECKSUM, checksum(memory, entry, key, value, scratch));
    }

    /**
     * Changes the expiry of an intact entry holding {@code key} and {@code value}, and its checksum
     * with it (stored last, as in {@link #write}); the caller logs the header first.
     */
    static void rewriteExpiry(
            PersistentMemory memory, long entry, long expiresAt, byte[] key, byte[] value, Scratch scratch) {
        memory.putLong(entry + EXPIRES_AT, expiresAt);
        memory.putInt(entry + CHECKSUM, checksum(memory, entry, key, value, scratch));
    }

    /**
     * The checksum an intact entry holding {@code key} and {@code value} stores at +0: the CRC32C of
     * its bytes from +4 to the end of the value (lengths, map id and expiry as stored, then
     * key and value). Callers pass arrays equal to the stored key and value (the ones just written,
     * or the key just compared and the value just copied out), so only the 20 header bytes are read
     * here. (A CRC over the mapped bytes through a direct buffer view costs an acquire and release of
     * the pool's shared memory session, two atomic updates of one counter all threads share.)
     */
    static int checksum(PersistentMemory memory, long entry, byte[] key, byte[] value) {
        return checksum(memory, entry, key, value, new Scratch());
    }

    /** {@link #checksum(PersistentMemory, long, byte[], byte[])} with the caller's scratch. */
    static int checksum(PersistentMemory memory, long entry, byte[] key, byte[] value, Scratch scratch) {
        memory.getBytes(entry + KEY_LENGTH, scratch.header, 0, scratch.header.length);
        CRC32C crc = scratch.crc;
        crc.reset();
        crc.update(scratch.header);
        crc.update(key);
        crc.update(value);
        return (int) crc.getValue();
    }
}
