package dev.pmemspring.core.internal.heap;

/**
 * The 8-byte persistent header of a span of chunks, stored in the chunk header table at the index
 * of the span's first chunk. Headers of chunks inside a span are stale and never read: the table is
 * walked from chunk 0 by span lengths. One aligned store changes a span, so a span's state is
 * always either before or after a change.
 *
 * <pre>  bits 0-7 type, bits 8-15 check byte 0xC5, bits 16-23 a run's size class + 1,
 *   bits 32-63 span length in chunks</pre>
 *
 * A run's size class lives here so opening a pool learns every run's geometry from the table
 * alone, without touching the run's own pages.
 */
final class ChunkHeader {

    static final int FREE = 1;
    static final int USED = 2;
    static final int RUN = 3;

    private static final long CHECK = 0xC5L << 8;

    private ChunkHeader() {}

    static long of(int type, int chunks) {
        return type | CHECK | ((long) chunks << 32);
    }

    /** The span type, or 0 if the word is not a valid header. */
    static long ofRun(int chunks, int sizeClass) {
        return of(RUN, chunks) | ((long) (sizeClass + 1) << 16);
    }

    /** A run's size class, or -1 if the header does not name one. */
    static int runClass(long header) {
        return (int) ((header >>> 16) & 0xFF) - 1;
    }

    static int type(long header) {
        int type = (int) (header & 0xFF);
        return (header & 0xFF00) == CHECK && type >= FREE && type <= RUN ? type : 0;
    }

    static int chunks(long header) {
        return (int) (header >>> 32);
    }

    static String describe(long header) {
        return switch (type(header)) {
            case FREE -> "free span of " + chunks(header) + " chunks";
            case USED -> "block of " + chunks(header) + " chunks";
            case RUN -> "run of " + chunks(header) + " chunks";
            default -> "invalid header 0x" + Long.toHexString(header);
        };
    }
}
