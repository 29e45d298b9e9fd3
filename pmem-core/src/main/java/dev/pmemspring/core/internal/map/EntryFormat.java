package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.zip.CRC32C;

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
        memory.putInt(entry, checksum(memory, entry, key, value));
    }

    /**
     * The checksum an intact entry holding {@code key} and {@code value} stores at +0: the CRC32C of
     * its bytes from +4 to the end of the value (lengths, reserved word and expiry as stored, then
     * key and value). Callers pass arrays equal to the stored key and value (the ones just written,
     * or the key just compared and the value just copied out), so only the 20 header bytes are read
     * here. (A CRC over the mapped bytes through a direct buffer view costs an acquire and release of
     * the pool's shared memory session, two atomic updates of one counter all threads share.)
     */
    static int checksum(PersistentMemory memory, long entry, byte[] key, byte[] value) {
        byte[] header = new byte[HEADER - 4];
        memory.getBytes(entry + 4, header, 0, header.length);
        CRC32C crc = new CRC32C();
        crc.update(header);
        crc.update(key);
        crc.update(value);
        return (int) crc.getValue();
    }
}
