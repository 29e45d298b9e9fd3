package dev.pmemspring.core.internal.heap;

import dev.pmemspring.core.internal.file.PoolLayout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
 * published handle points to.
 */
final class Run {

    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    final int firstChunk;
    final int chunks;
    final int sizeClass;
    final int unitSize;
    final int units;
    final long bitmapOffset;
    final long dataOffset;

    private final long[] bits;
    private final AtomicInteger free = new AtomicInteger();
    /** Whether an arena holds this run or it waits in its class's queue; else it is full and parked. */
    final AtomicBoolean listed = new AtomicBoolean();
    private int hint;

    private Run(int firstChunk, int chunks, int unitSize, int units, long offset, long[] bits) {
        this.firstChunk = firstChunk;
        this.chunks = chunks;
        this.sizeClass = SizeClasses.classOfUnit(unitSize);
        this.unitSize = unitSize;
        this.units = units;
        this.bitmapOffset = offset + 8;
        this.dataOffset = offset + dataStart(units);
        this.bits = bits;
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

    /** A new, empty run (its persistent image is written by the heap). */
    static Run fresh(int firstChunk, int chunks, int unitSize, int units, long offset) {
        long[] bits = new long[bitmapWords(units)];
        for (int w = 0; w < bits.length; w++) {
            bits[w] = paddingMask(units, w);
        }
        Run run = new Run(firstChunk, chunks, unitSize, units, offset, bits);
        run.free.set(units);
        return run;
    }

    /** A run read back from its persistent bitmap. */
    static Run loaded(int firstChunk, int chunks, int unitSize, int units, long offset, long[] persistentBits) {
        Run run = new Run(firstChunk, chunks, unitSize, units, offset, persistentBits);
        int used = 0;
        for (int w = 0; w < persistentBits.length; w++) {
            persistentBits[w] |= paddingMask(units, w);
            used += Long.bitCount(persistentBits[w] & ~paddingMask(units, w));
        }
        run.free.set(units - used);
        return run;
    }

    /** Takes a free unit; returns its index, or -1 if the run is full. */
    int reserve() {
        if (free.get() <= 0) {
            return -1;
        }
        int n = bits.length;
        for (int k = 0; k < n; k++) {
            int w = (hint + k) % n;
            long word = (long) BITS.getOpaque(bits, w);
            while (word != -1L) {
                int bit = Long.numberOfTrailingZeros(~word);
                if (BITS.compareAndSet(bits, w, word, word | (1L << bit))) {
                    free.decrementAndGet();
                    hint = w;
                    return (w << 6) + bit;
                }
                word = (long) BITS.getOpaque(bits, w);
            }
        }
        return -1;
    }

    /** Returns a unit to the free pool; false if it was not taken (a double free). */
    boolean release(int unit) {
        int w = unit >>> 6;
        long mask = 1L << (unit & 63);
        while (true) {
            long word = (long) BITS.getOpaque(bits, w);
            if ((word & mask) == 0) {
                return false;
            }
            if (BITS.compareAndSet(bits, w, word, word & ~mask)) {
                free.incrementAndGet();
                return true;
            }
        }
    }

    boolean isTaken(int unit) {
        return ((long) BITS.getOpaque(bits, unit >>> 6) & (1L << (unit & 63))) != 0;
    }

    int freeUnits() {
        return free.get();
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
