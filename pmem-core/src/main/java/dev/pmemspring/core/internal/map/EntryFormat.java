package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.memory.PersistentMemory;

/**
 * One map entry, one heap block:
 *
 * <pre>
 *   +0   CRC32C of bytes 4.. end of value
 *   +4   key length
 *   +8   value length
 *   +12  reserved (0)
 *   +16  expiry, epoch milliseconds (0 = never)
 *   +24  key bytes, then value bytes
 * </pre>
 *
 * An entry is written once, before it is published, and never changed: an update publishes a new
 * entry. So the checksum catches any damage, and a reader never sees an entry half-written.
 */
final class EntryFormat {

    static final int HEADER = 24;

    private EntryFormat() {
    }

    static long size(byte[] key, byte[] value) {
        return HEADER + (long) key.length + value.length;
    }

    static void write(PersistentMemory memory, long entry, byte[] key, byte[] value, long expiresAt) {
        memory.putInt(entry + 4, key.length);
        memory.putInt(entry + 8, value.length);
        memory.putInt(entry + 12, 0);
        memory.putLong(entry + 16, expiresAt);
        memory.putBytes(entry + HEADER, key, 0, key.length);
        memory.putBytes(entry + HEADER + key.length, value, 0, value.length);
        // The checksum is computed over the bytes just stored, so it vouches for what the block holds.
        memory.putInt(entry, checksum(memory, entry, key.length, value.length));
    }

    /**
     * The checksum an intact entry with these lengths stores at +0: the CRC32C of its bytes from +4
     * to the end of the value (lengths, reserved word, expiry, key, value, as stored: the pool's
     * words are in native byte order), read in place without a copy.
     */
    static int checksum(PersistentMemory memory, long entry, int keyLength, int valueLength) {
        return memory.crc32c(entry + 4, HEADER - 4 + keyLength + valueLength);
    }
}
