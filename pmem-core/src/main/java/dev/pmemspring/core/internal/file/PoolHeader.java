package dev.pmemspring.core.internal.file;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The pool header: identity and geometry of a pool, written at creation in two copies and
 * rewritten (copy B, then copy A) only when the pool grows.
 *
 * <pre>
 *   0   magic "PMEMSPRG"         8
 *   8   format major version     4
 *   12  format minor version     4
 *   16  compat feature flags     8   unknown bits are ignored
 *   24  incompat feature flags   8   unknown bits refuse the open
 *   32  uuid                     16
 *   48  layout name, UTF-8, NUL-padded  64 (at most 63 bytes used)
 *   112 pool size                8
 *   120 creation time (epoch ms) 8
 *   128 lane count               4
 *   136 maximum size             8   0 in format 1.0: the pool size
 *   144 initial size             8   0 in format 1.0: the pool size
 *   152 growths                  8   how many times the pool grew
 *   4088 CRC32C of bytes 0..4087 8
 * </pre>
 *
 * <p>The pool size is the current one. A pool created with a maximum above its size has its chunk
 * table laid out for the maximum, which a release before format 1.1 would misread: such a pool
 * carries the incompatible feature {@link #GROWABLE}.
 */
public record PoolHeader(
        int major,
        int minor,
        long compatFlags,
        long incompatFlags,
        UUID uuid,
        String layout,
        long poolSize,
        long creationTimeMillis,
        int laneCount,
        long maxSize,
        long initialSize,
        long growths) {

    public static final long MAGIC = 0x4752505353454D50L; // "PMEMSPRG" little-endian
    public static final int FORMAT_MAJOR = 1;
    public static final int FORMAT_MINOR = 1;
    /** The chunk table is laid out for {@link #maxSize()}, above the pool size at creation. */
    public static final long GROWABLE = 1;
    /** Incompat features this build understands. */
    public static final long KNOWN_INCOMPAT = GROWABLE;

    public static final int MAX_LAYOUT_BYTES = 63;
    private static final int CHECKSUM_AT = PoolLayout.HEADER_SIZE - 8;

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(PoolLayout.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC);
        b.putInt(8, major);
        b.putInt(12, minor);
        b.putLong(16, compatFlags);
        b.putLong(24, incompatFlags);
        b.putLong(32, uuid.getMostSignificantBits());
        b.putLong(40, uuid.getLeastSignificantBits());
        byte[] name = layout.getBytes(StandardCharsets.UTF_8);
        b.put(48, name);
        b.putLong(112, poolSize);
        b.putLong(120, creationTimeMillis);
        b.putInt(128, laneCount);
        if (minor >= 1) {
            // Format 1.0 leaves them zero (decode reads that as the pool size), so a 1.0 header
            // encodes to the bytes it was read from.
            b.putLong(136, maxSize);
            b.putLong(144, initialSize);
            b.putLong(152, growths);
        }
        b.putLong(CHECKSUM_AT, checksum(b.array()));
        return b.array();
    }

    /** What a raw header copy holds: whether its magic and checksum are right, and if so its fields. */
    public record Decoded(boolean magicOk, boolean checksumOk, PoolHeader header) {
        public boolean valid() {
            return magicOk && checksumOk;
        }
    }

    public static Decoded decode(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        boolean magicOk = raw.length >= 8 && b.getLong(0) == MAGIC;
        if (!magicOk || raw.length < PoolLayout.HEADER_SIZE) {
            return new Decoded(magicOk, false, null);
        }
        if (b.getLong(CHECKSUM_AT) != checksum(raw)) {
            return new Decoded(true, false, null);
        }
        int end = 48;
        while (end < 112 && raw[end] != 0) {
            end++;
        }
        String layout = new String(raw, 48, end - 48, StandardCharsets.UTF_8);
        return new Decoded(
                true,
                true,
                new PoolHeader(
                        b.getInt(8),
                        b.getInt(12),
                        b.getLong(16),
                        b.getLong(24),
                        new UUID(b.getLong(32), b.getLong(40)),
                        layout,
                        b.getLong(112),
                        b.getLong(120),
                        b.getInt(128),
                        orSize(b.getLong(136), b.getLong(112)),
                        orSize(b.getLong(144), b.getLong(112)),
                        b.getLong(152)));
    }

    /** A format 1.0 header leaves the growth fields zero: the pool was created at its size, for good. */
    private static long orSize(long field, long poolSize) {
        return field == 0 ? poolSize : field;
    }

    /** This header after one more growth, to {@code newSize} bytes. */
    public PoolHeader grownTo(long newSize) {
        return new PoolHeader(
                major,
                minor,
                compatFlags,
                incompatFlags,
                uuid,
                layout,
                newSize,
                creationTimeMillis,
                laneCount,
                maxSize,
                initialSize,
                growths + 1);
    }

    private static long checksum(byte[] raw) {
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, CHECKSUM_AT);
        return crc.getValue();
    }
}
