package dev.pmemspring.core.internal.file;

/**
 * Where each region of a pool file lies. Everything is derived from the pool size, the maximum size
 * and the lane count recorded in the header, so two processes always agree.
 *
 * <pre>
 *   0      header A (4 KiB)
 *   4 KiB  header B (4 KiB): copy of A, repairs a torn header write
 *   8 KiB  pool state (4 KiB): root handle and size, shutdown state
 *   12 KiB lanes: laneCount x 8 KiB, each a redo log (1 KiB) and an undo log (7 KiB)
 *   heap   chunk header table (8 bytes per chunk of the maximum size, page-rounded), then the chunks
 * </pre>
 *
 * The table has room for every chunk the pool may ever have, so growing the pool only adds chunks
 * at the end: no offset moves. It costs 32 KiB of table per GiB of maximum size.
 *
 * @param chunkCount the chunks the pool has at {@code poolSize}
 * @param maxChunkCount the chunks it has once grown to {@code maxSize}
 */
public record PoolLayout(
        long poolSize,
        long maxSize,
        int laneCount,
        long heapTableOffset,
        int chunkCount,
        int maxChunkCount,
        long chunkDataOffset) {

    public static final int PAGE = 4096;
    public static final long HEADER_A = 0;
    public static final long HEADER_B = PAGE;
    public static final int HEADER_SIZE = PAGE;
    public static final long STATE = 2L * PAGE;
    public static final long ROOT_HANDLE = STATE;
    public static final long ROOT_SIZE = STATE + 8;
    public static final long SHUTDOWN_STATE = STATE + 64;
    /** The device's dirty shutdown count when the pool was opened, plus one (0: not reported). */
    public static final long DIRTY_SHUTDOWNS = STATE + 72;
    /**
     * When the pool stopped taking changes while open (epoch millis; 0: it did not, or the stop was
     * acknowledged), written at the stop as well as the storage still takes it: until someone
     * acknowledges it (the cache managers, after emptying every cache) every open reports it.
     */
    public static final long STOPPED = STATE + 80;

    public static final long MAP_CATALOGUE = STATE + 128;
    public static final long LANES = 3L * PAGE;
    public static final int LANE_SIZE = 2 * PAGE;
    public static final int REDO_SIZE = 1024;
    public static final int UNDO_SIZE = LANE_SIZE - REDO_SIZE;
    public static final int DEFAULT_LANES = 64;
    /** PMDK's chunk size: the unit of large allocations and of runs. */
    public static final long CHUNK_SIZE = 256 * 1024;
    /** Like PMDK's PMEMOBJ_MIN_POOL. */
    public static final long MIN_POOL_SIZE = 8L * 1024 * 1024;

    /** The layout of a pool that never grows. */
    public static PoolLayout of(long poolSize, int laneCount) {
        return of(poolSize, poolSize, laneCount);
    }

    /** The layout of a pool of {@code poolSize} bytes that may grow to {@code maxSize}. */
    public static PoolLayout of(long poolSize, long maxSize, int laneCount) {
        if (maxSize < poolSize) {
            throw new IllegalArgumentException("maximum size " + maxSize + " is below the pool size " + poolSize);
        }
        long heapTable = roundUp(LANES + (long) laneCount * LANE_SIZE, PAGE);
        long room = maxSize - heapTable;
        long chunks = room / (CHUNK_SIZE + 8);
        while (chunks > 0 && roundUp(chunks * 8, PAGE) + chunks * CHUNK_SIZE > room) {
            chunks--;
        }
        if (chunks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pool size " + maxSize + " exceeds the largest supported pool");
        }
        long dataOffset = heapTable + roundUp(Math.max(chunks, 0) * 8, PAGE);
        long now = Math.min(Math.max(poolSize - dataOffset, 0) / CHUNK_SIZE, Math.max(chunks, 0));
        return new PoolLayout(
                poolSize, maxSize, laneCount, heapTable, (int) now, (int) Math.max(chunks, 0), dataOffset);
    }

    /** The same pool at {@code newSize} bytes (at most the maximum). */
    public PoolLayout withSize(long newSize) {
        return of(newSize, maxSize, laneCount);
    }

    /** The pool size that gives exactly {@code chunks} chunks. */
    public long sizeFor(int chunks) {
        return chunkDataOffset + chunks * CHUNK_SIZE;
    }

    public long laneOffset(int lane) {
        return LANES + (long) lane * LANE_SIZE;
    }

    public long undoOffset(int lane) {
        return laneOffset(lane) + REDO_SIZE;
    }

    public long chunkHeaderOffset(int chunk) {
        return heapTableOffset + 8L * chunk;
    }

    public long chunkOffset(int chunk) {
        return chunkDataOffset + chunk * CHUNK_SIZE;
    }

    public long heapEnd() {
        return chunkOffset(chunkCount);
    }

    /** The chunk holding pool offset {@code offset}, or -1 outside the heap. */
    public int chunkOf(long offset) {
        if (offset < chunkDataOffset || offset >= heapEnd()) {
            return -1;
        }
        return (int) ((offset - chunkDataOffset) / CHUNK_SIZE);
    }

    public static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
