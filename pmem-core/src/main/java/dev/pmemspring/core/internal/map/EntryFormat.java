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
        memory.putInt(entry, checksum(key.length, value.length, expiresAt, key, value));
    }

    static int checksum(int keyLength, int valueLength, long expiresAt, byte[] key, byte[] value) {
        CRC32C crc = new CRC32C();
        byte[] header = new byte[20];
        putInt(header, 0, keyLength);
        putInt(header, 4, valueLength);
        putInt(header, 8, 0);
        putInt(header, 12, (int) expiresAt);
        putInt(header, 16, (int) (expiresAt >>> 32));
        crc.update(header);
        crc.update(key);
        crc.update(value);
        return (int) crc.getValue();
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
