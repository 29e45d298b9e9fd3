package dev.pmemspring.core.internal.heap;

import dev.pmemspring.core.internal.file.PoolLayout;

/**
 * The unit sizes of runs. 16-byte steps up to 128 bytes, then eight classes per doubling up to
 * 128 KiB; a request is rounded up to its class, so above 128 bytes no more than 12.5% of a block
 * is padding (a map entry of 140 bytes takes 144). Larger requests take whole chunks.
 */
final class SizeClasses {

    static final int MAX_SMALL = 128 * 1024;
    private static final int[] UNITS = build();
    static final int COUNT = UNITS.length;

    private SizeClasses() {}

    private static int[] build() {
        int[] units = new int[128];
        int n = 0;
        for (int size = 16; size <= 128; size += 16) {
            units[n++] = size;
        }
        for (int base = 128; base < MAX_SMALL; base *= 2) {
            for (int step = 1; step <= 8; step++) {
                units[n++] = base + step * (base / 8);
            }
        }
        return java.util.Arrays.copyOf(units, n);
    }

    /** The class of a request of {@code size} bytes (1 .. MAX_SMALL). */
    static int classOf(long size) {
        if (size <= 128) {
            return (int) ((size - 1) >>> 4);
        }
        int p = 63 - Long.numberOfLeadingZeros(size - 1); // 2^p < size <= 2^(p+1)
        long step = 1L << (p - 3);
        int within = (int) ((size - (1L << p) + step - 1) / step); // 1..8
        return 8 + (p - 7) * 8 + within - 1;
    }

    static int unitSize(int sizeClass) {
        return UNITS[sizeClass];
    }

    /** Chunks per run of a class: enough for at least eight units. */
    static int runChunks(int sizeClass) {
        return (int) Math.max(1, (8L * UNITS[sizeClass] + PoolLayout.CHUNK_SIZE - 1) / PoolLayout.CHUNK_SIZE);
    }
}
