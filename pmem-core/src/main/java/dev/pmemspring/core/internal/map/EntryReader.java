package dev.pmemspring.core.internal.map;

import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.memory.PersistentMemory;

/**
 * Reads entries out of the pool without trusting what they say about themselves: a length sizes
 * an array only once it is plausible, and a value counts only once the checksum verifies. Callers
 * hold the stripe's lock, or read under its sequence number and check it afterwards.
 */
final class EntryReader {

    /** Entries up to this size are read without asking the heap for their block's size. */
    private static final long UNCHECKED_ENTRY_BYTES = 64 * 1024;

    private final PersistentMemory memory;
    private final Heap heap;
    /** The id this map's entries carry. */
    private final int mapId;

    EntryReader(PersistentMemory memory, Heap heap, int mapId) {
        this.memory = memory;
        this.heap = heap;
        this.mapId = mapId;
    }

    int mapId() {
        return mapId;
    }

    /**
     * Whether lengths read from an entry can be believed enough to size arrays: not negative and,
     * beyond {@value #UNCHECKED_ENTRY_BYTES} bytes (where a damaged length could ask for gigabytes),
     * within the entry's block. The checksum then decides whether the bytes are whole.
     */
    boolean plausible(long entry, int keyLength, int valueLength) {
        if (keyLength < 0 || valueLength < 0 || (long) keyLength + valueLength > EntryFormat.MAX_KEY_AND_VALUE) {
            return false;
        }
        long size = EntryFormat.size(keyLength, valueLength);
        if (!heap.inHeap(entry, size)) {
            return false;
        }
        if (size <= UNCHECKED_ENTRY_BYTES) {
            return true;
        }
        try {
            return size <= heap.sizeOf(entry);
        } catch (RuntimeException notABlock) {
            return false;
        }
    }

    /** The entry's key, or an empty array if its length is damaged (it then verifies against no key). */
    byte[] key(long entry) {
        int keyLength = EntryFormat.keyLength(memory, entry);
        if (!plausible(entry, keyLength, 0)) {
            return new byte[0];
        }
        byte[] key = new byte[keyLength];
        memory.getBytes(EntryFormat.keyAt(entry), key, 0, key.length);
        return key;
    }

    /** The value of the entry, whose key has {@code keyLength} bytes, or null if its length is damaged. */
    byte[] value(long entry, int keyLength) {
        int valueLength = EntryFormat.valueLength(memory, entry);
        if (!plausible(entry, keyLength, valueLength)) {
            return null;
        }
        return valueOf(entry, keyLength, valueLength);
    }

    /** The value's bytes, once its lengths were found plausible. */
    byte[] valueOf(long entry, int keyLength, int valueLength) {
        byte[] value = new byte[valueLength];
        memory.getBytes(EntryFormat.valueAt(entry, keyLength), value, 0, valueLength);
        return value;
    }

    /**
     * Copies the bytes the checksum covers (see {@link EntryFormat#checkedLength}) of the entry,
     * whose lengths were found plausible, into the start of {@code into}, and returns whether the
     * copy verifies: this map's id, and one CRC over the copy against the stored checksum. The value
     * is then at {@link EntryFormat#valueInChecked} of {@code into}.
     */
    boolean copyChecked(long entry, byte[] into, int checkedLength) {
        int stored = EntryFormat.storedChecksum(memory, entry);
        memory.getBytes(EntryFormat.keyLengthAt(entry), into, 0, checkedLength);
        return EntryFormat.mapIdInChecked(into) == mapId
                && EntryFormat.checksumOfChecked(into, checkedLength) == stored;
    }

    /** Whether the entry is this map's and its stored checksum is that of {@code key} and {@code value}. */
    boolean intact(long entry, byte[] key, byte[] value) {
        return EntryFormat.mapId(memory, entry) == mapId
                && EntryFormat.storedChecksum(memory, entry) == EntryFormat.checksum(memory, entry, key, value);
    }

    /** The value of the entry holding {@code key} if its lengths and checksum verify, else null. */
    byte[] intactValue(long entry, byte[] key) {
        byte[] value = value(entry, key.length);
        return value != null && intact(entry, key, value) ? value : null;
    }

    /** The value of the entry holding {@code key} if it verifies and has not expired, else null. */
    byte[] liveValue(long entry, byte[] key) {
        byte[] value = intactValue(entry, key);
        return value != null && !expired(entry) ? value : null;
    }

    boolean expired(long entry) {
        return isPast(EntryFormat.expiresAt(memory, entry));
    }

    static boolean isPast(long expiresAt) {
        return expiresAt != 0 && System.currentTimeMillis() >= expiresAt;
    }

    /** The bytes the entry's stored lengths say it takes (header, key and value), trusted or not. */
    long storedSize(long entry) {
        return EntryFormat.size(EntryFormat.keyLength(memory, entry), EntryFormat.valueLength(memory, entry));
    }
}
