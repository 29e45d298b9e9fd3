package dev.pmemspring.cache.redis.internal;

import org.jspecify.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stream entry as instances write and read it: a batch of changes from one instance. Fields:
 *
 * <pre>
 * "v" -> "1"                          format version; entries of another version are skipped
 * "o" -> origin                       16 bytes, the writing process's id (new at each start)
 * "c" -> changes, each:               u8 kind ('K' key, 'C' clear) | u16 cache-name length | cache name (UTF-8)
 *                                     | for 'K': u32 key length | the key's stored form
 *                                     | u64 written at (epoch millis on the origin)
 * </pre>
 */
public final class StreamEntryFormat {

    public static final byte[] VERSION_FIELD = {'v'};
    public static final byte[] ORIGIN_FIELD = {'o'};
    public static final byte[] CHANGES_FIELD = {'c'};
    private static final byte[] VERSION = {'1'};

    /** A change with the time its origin made it. */
    public record TimedChange(Change change, long writtenAt) {}

    /** A decoded entry. */
    public record Entry(byte[] origin, List<TimedChange> changes) {}

    private StreamEntryFormat() {}

    /** The bytes {@code change} takes in an entry. */
    public static int size(Change change) {
        return 1
                + 2
                + change.cache().getBytes(StandardCharsets.UTF_8).length
                + (change.kind() == Change.Kind.KEY ? 4 + change.key().length : 0)
                + 8;
    }

    public static Map<byte[], byte[]> encode(byte[] origin, List<TimedChange> changes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * changes.size());
        ByteBuffer scratch = ByteBuffer.allocate(8);
        for (TimedChange t : changes) {
            Change c = t.change();
            byte[] name = c.cache().getBytes(StandardCharsets.UTF_8);
            out.write(c.kind() == Change.Kind.KEY ? 'K' : 'C');
            out.write(name.length >>> 8);
            out.write(name.length);
            out.write(name, 0, name.length);
            if (c.kind() == Change.Kind.KEY) {
                out.write(scratch.clear().putInt(c.key().length).array(), 0, 4);
                out.write(c.key(), 0, c.key().length);
            }
            out.write(scratch.clear().putLong(t.writtenAt()).array(), 0, 8);
        }
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fields.put(VERSION_FIELD, VERSION);
        fields.put(ORIGIN_FIELD, origin);
        fields.put(CHANGES_FIELD, out.toByteArray());
        return fields;
    }

    /** The entry {@code fields} hold, or null if they are not an entry of this format (skipped, not fatal). */
    public static @Nullable Entry decode(Map<byte[], byte[]> fields) {
        byte[] version = null;
        byte[] origin = null;
        byte[] changes = null;
        for (Map.Entry<byte[], byte[]> f : fields.entrySet()) {
            if (Arrays.equals(f.getKey(), VERSION_FIELD)) {
                version = f.getValue();
            } else if (Arrays.equals(f.getKey(), ORIGIN_FIELD)) {
                origin = f.getValue();
            } else if (Arrays.equals(f.getKey(), CHANGES_FIELD)) {
                changes = f.getValue();
            }
        }
        if (!Arrays.equals(version, VERSION) || origin == null || changes == null) {
            return null;
        }
        List<TimedChange> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(changes);
        try {
            while (b.hasRemaining()) {
                byte kind = b.get();
                byte[] name = new byte[b.getShort() & 0xFFFF];
                b.get(name);
                String cache = new String(name, StandardCharsets.UTF_8);
                Change change;
                if (kind == 'K') {
                    int length = b.getInt();
                    if (length < 0 || length > b.remaining()) {
                        return null;
                    }
                    byte[] key = new byte[length];
                    b.get(key);
                    change = Change.key(cache, key);
                } else if (kind == 'C') {
                    change = Change.clear(cache);
                } else {
                    return null;
                }
                out.add(new TimedChange(change, b.getLong()));
            }
        } catch (BufferUnderflowException e) { // a truncated or foreign payload
            return null;
        }
        return new Entry(origin, out);
    }
}
