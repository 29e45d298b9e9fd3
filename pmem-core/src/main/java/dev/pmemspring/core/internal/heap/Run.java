package dev.pmemspring.core.internal.heap;

import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A span of chunks cut into equal units, with a persistent bitmap of used units (PMDK's run).
 *
 * <pre>
 *   +0   unit size (low 32 bits) | unit count (high 32 bits)
 *   +8   bitmap, one bit per unit, 1 = used; bits past the last unit are set
 *   data units, from the first 64-byte boundary after the bitmap
 * </pre>
 *
 * <p>This object is the volatile side: a copy of the bitmap in which a set bit means used or
 * reserved. Reservation and release are lock-free (CAS on the copy's words); the persistent bit is
 * set by the allocation's redo batch before the unit is handed out, and cleared by the free's batch
 * before the unit is released here, so the persistent bitmap never shows a unit free that a
 * published handle points to. A transaction's units are the exception until it ends: their bits
 * change at its commit, and until then only the transaction's own (uncommitted) writes point to
 * them.
 *
 * <p>A run found on open is loaded lazily: its size class comes from the chunk header, and its
 * pages (header and bitmap) are first read when the run is used, so opening a pool touches no run.
 */
final class Run {

    private static final System.Logger LOG = System.getLogger(Run.class.getName());
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Longs per cache line. */
    private static final int LINE = 8;

    private static final int FIRST_WORD = LINE;

    final int firstChunk;
    final int chunks;
    final int sizeClass;
    final int unitSize;
    final int units;
    final long offset;
    final long bitmapOffset;
    final long dataOffset;
    private final int words;
    private final PersistentMemory memory;

    /**
     * The volatile bitmap, between padding: {@code [pad][bitmap words][pad]}. Runs of two arenas
     * are made at about the same moment and their arrays sit side by side in the Java heap; the
     * padding keeps two threads' hot words off one cache line. There is no count of free units
     * beside it: every allocation and free would update that one word, which threads allocating
     * and freeing in the same run would trade between cores; the few callers that need to know
     * whether a run is full or empty scan its bitmap instead.
     */
    private final long[] bits;

    private volatile boolean loaded;
    /** Whether an arena holds this run or it waits in its class's queue; else it is full and parked. */
    final AtomicBoolean listed = new AtomicBoolean();

    private int hint;
    /** Set while the heap checks whether to turn this empty run back into chunks. */
    volatile boolean retiring;

    private Run(PersistentMemory memory, int firstChunk, int chunks, int sizeClass, long offset) {
        this.memory = memory;
        this.firstChunk = firstChunk;
        this.chunks = chunks;
        this.sizeClass = sizeClass;
        this.unitSize = SizeClasses.unitSize(sizeClass);
        this.units = unitsFor(unitSize, chunks);
        this.words = bitmapWords(units);
        this.offset = offset;
        this.bitmapOffset = offset + 8;
        this.dataOffset = offset + dataStart(units);
        this.bits = new long[FIRST_WORD + words + LINE];
    }

    static long headerWord(int unitSize, int units) {
        return (unitSize & 0xFFFFFFFFL) | ((long) units << 32);
    }

    static int bitmapWords(int units) {
        return (units + 63) >>> 6;
    }

    static long dataStart(int units) {
        return PoolLayout.roundUp(8 + 8L * bitmapWords(units), 64);
    }

    /** How many units of {@code unitSize} fit in a run of {@code chunks} chunks. */
    static int unitsFor(int unitSize, int chunks) {
        long bytes = chunks * PoolLayout.CHUNK_SIZE;
        int units = (int) (bytes / unitSize);
        while (units > 0 && dataStart(units) + (long) units * unitSize > bytes) {
            units--;
        }
        return units;
    }

    /** The bitmap word with only the padding bits past the last unit set. */
    static long paddingMask(int units, int word) {
        int first = word * 64;
        int used = Math.min(64, Math.max(0, units - first));
        return used == 64 ? 0 : -1L << used;
    }

    /**
     * A new, empty run: writes its header and bitmap (the caller persists them before the chunk
     * header that makes the span a run).
     */
    static Run create(PersistentMemory memory, int firstChunk, int chunks, int sizeClass, long offset) {
        Run run = new Run(memory, firstChunk, chunks, sizeClass, offset);
        memory.putLong(offset, headerWord(run.unitSize, run.units));
        for (int w = 0; w < run.words; w++) {
            long padding = paddingMask(run.units, w);
            memory.putLong(run.bitmapOffset + 8L * w, padding);
            run.bits[FIRST_WORD + w] = padding;
        }
        memory.flush(offset, 8 + 8L * run.words);
        run.loaded = true;
        return run;
    }

    /** A run found on open, read from the pool when first used. */
    static Run lazy(PersistentMemory memory, int firstChunk, int chunks, int sizeClass, long offset) {
        return new Run(memory, firstChunk, chunks, sizeClass, offset);
    }

    /** Whether {@code chunks} chunks make a run of class {@code sizeClass} (a check of a chunk header). */
    static boolean fits(int sizeClass, int chunks) {
        return sizeClass >= 0 && sizeClass < SizeClasses.COUNT && chunks == SizeClasses.runChunks(sizeClass);
    }

    private void ensureLoaded() {
        if (!loaded) {
            load();
        }
    }

    private synchronized void load() {
        if (loaded) {
            return;
        }
        if (memory.getLong(offset) != headerWord(unitSize, units)) {
            // A damaged run header: take no unit from it and free none into it.
            LOG.log(
                    System.Logger.Level.WARNING,
                    "run at chunk " + firstChunk + " has a damaged header;"
                            + " its space is left unused (run the check tool)");
            for (int w = 0; w < words; w++) {
                bits[FIRST_WORD + w] = -1L;
            }
        } else {
            for (int w = 0; w < words; w++) {
                bits[FIRST_WORD + w] = memory.getLong(bitmapOffset + 8L * w) | paddingMask(units, w);
            }
        }
        loaded = true;
    }

    /** Takes a free unit; returns its index, or -1 if the run is full. */
    int reserve() {
        ensureLoaded();
        for (int k = 0; k < words; k++) {
            int w = (hint + k) % words;
            int i = FIRST_WORD + w;
            long word = (long) BITS.getOpaque(bits, i);
            while (word != -1L) {
                int bit = Long.numberOfTrailingZeros(~word);
                if (BITS.compareAndSet(bits, i, word, word | (1L << bit))) {
                    hint = w;
                    return (w << 6) + bit;
                }
                word = (long) BITS.getOpaque(bits, i);
            }
        }
        return -1;
    }

    /**
     * Takes unit {@code unit} if it is free; false if it is taken or the run is being reclaimed.
     * Against {@link Heap}'s reclaiming of empty runs: this takes the bit, then reads
     * {@link #retiring}; the reclaimer sets {@link #retiring}, then reads the bits. One of the
     * two sees the other (both are volatile accesses), so a run is never reclaimed with a unit
     * this handed out.
     */
    boolean reserve(int unit) {
        ensureLoaded();
        int i = FIRST_WORD + (unit >>> 6);
        long mask = 1L << (unit & 63);
        long word = (long) BITS.getOpaque(bits, i);
        while ((word & mask) == 0) {
            if (BITS.compareAndSet(bits, i, word, word | mask)) {
                if (retiring) {
                    release(unit);
                    return false;
                }
                return true;
            }
            word = (long) BITS.getOpaque(bits, i);
        }
        return false;
    }

    /** Returns a unit to the free pool; false if it was not taken (a double free). */
    boolean release(int unit) {
        ensureLoaded();
        int i = FIRST_WORD + (unit >>> 6);
        long mask = 1L << (unit & 63);
        while (true) {
            long word = (long) BITS.getOpaque(bits, i);
            if ((word & mask) == 0) {
                return false;
            }
            if (BITS.compareAndSet(bits, i, word, word & ~mask)) {
                return true;
            }
        }
    }

    boolean isTaken(int unit) {
        ensureLoaded();
        return ((long) BITS.getOpaque(bits, FIRST_WORD + (unit >>> 6)) & (1L << (unit & 63))) != 0;
    }

    /** Whether some unit is free (volatile reads: a caller may order this after its own volatile write). */
    boolean hasFreeUnit() {
        ensureLoaded();
        for (int w = 0; w < words; w++) {
            if ((long) BITS.getVolatile(bits, FIRST_WORD + w) != -1L) {
                return true;
            }
        }
        return false;
    }

    /** Whether every unit is free (volatile reads, as {@link #hasFreeUnit}). */
    boolean isEmpty() {
        ensureLoaded();
        for (int w = 0; w < words; w++) {
            if ((long) BITS.getVolatile(bits, FIRST_WORD + w) != paddingMask(units, w)) {
                return false;
            }
        }
        return true;
    }

    /** The number of free units: a scan of the bitmap, for figures, not for decisions. */
    int freeUnits() {
        ensureLoaded();
        int taken = 0;
        for (int w = 0; w < words; w++) {
            taken += Long.bitCount((long) BITS.getOpaque(bits, FIRST_WORD + w) & ~paddingMask(units, w));
        }
        return units - taken;
    }

    /** The unit a handle names, or -1 if the handle is not the start of a unit of this run. */
    int unitOf(long handle) {
        long rel = handle - dataOffset;
        if (rel < 0 || rel % unitSize != 0 || rel / unitSize >= units) {
            return -1;
        }
        return (int) (rel / unitSize);
    }

    long handleOf(int unit) {
        return dataOffset + (long) unit * unitSize;
    }

    long bitmapWordOffset(int unit) {
        return bitmapOffset + 8L * (unit >>> 6);
    }

    static long bitMask(int unit) {
        return 1L << (unit & 63);
    }
}
