package dev.pmemspring.core.internal.heap;

import dev.pmemspring.core.internal.file.PoolGrowth;
import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.log.RedoBatch;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The persistent heap: chunks, runs of size-class units, and the volatile structures that find
 * free space, rebuilt on open from the chunk header table and run bitmaps (never from objects).
 *
 * <p>Every change is two-phase, so transactions can reserve now and publish at commit:
 * {@link #reserve} takes space in volatile state only; {@link #addPublish} / {@link #addFree} add
 * the persistent change to a {@link RedoBatch} the caller commits atomically with its own words
 * (the field that points to the block); {@link #published} / {@link #freed} then update the volatile
 * side. Space is handed to another thread only after the change that freed it is durable.
 * {@link HeapOperation} puts these steps together for callers.
 *
 * <p>Longer than the other files here: rebuild, allocation, free, check and the usage figures all
 * read the same volatile structures under the same locks (the chunk lock, each arena's monitor),
 * which splitting would expose as package state; what varies by kind of block lives in {@link Block}.
 */
public final class Heap {

    /** Thrown by {@link #reserve} when no space is left; the pool turns it into its public exception. */
    public static final class OutOfSpace extends Exception {
        private static final long serialVersionUID = 1L;

        OutOfSpace() {
            super(null, null, false, false);
        }
    }

    private final PersistentMemory memory;
    /** At the pool's current size; replaced (never changed) when the pool grows. */
    private volatile PoolLayout layout;

    private final Lanes lanes;
    private final PoolGrowth growth;

    private final ReentrantLock chunkLock = new ReentrantLock();
    /** Held for a whole growth, the file's part included; taken before the chunk lock, never inside it. */
    private final ReentrantLock growthLock = new ReentrantLock();

    private final FreeSpans freeSpans = new FreeSpans();
    private final Run[] runOfChunk;
    private final List<Run> runs = new ArrayList<>();
    /** Runs found on open and not yet read (see {@link #sortRuns}). */
    private final ConcurrentLinkedQueue<Run> unsorted = new ConcurrentLinkedQueue<>();

    private final ConcurrentSkipListMap<Integer, Integer> usedSpans = new ConcurrentSkipListMap<>();

    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<Run>[] partialRuns = new ConcurrentLinkedQueue[SizeClasses.COUNT];

    private final Arena[] arenas;
    private final AtomicInteger nextArena = new AtomicInteger();
    private final ThreadLocal<Arena> arenaOfThread;
    private final ThreadLocal<LastFreed> lastFreed = ThreadLocal.withInitial(LastFreed::new);

    private Heap(PersistentMemory memory, PoolLayout layout, Lanes lanes, PoolGrowth growth) {
        this.memory = memory;
        this.layout = layout;
        this.lanes = lanes;
        this.growth = growth;
        // For every chunk the pool may get: growing then never reallocates what readers index.
        this.runOfChunk = new Run[layout.maxChunkCount()];
        for (int c = 0; c < partialRuns.length; c++) {
            partialRuns[c] = new ConcurrentLinkedQueue<>();
        }
        // One arena per core, as PMDK: enough to keep cores apart, few enough that partly used
        // current runs (one per arena and size class) do not strand much of a small pool.
        arenas = new Arena[Runtime.getRuntime().availableProcessors()];
        for (int i = 0; i < arenas.length; i++) {
            arenas[i] = new Arena();
        }
        arenaOfThread = ThreadLocal.withInitial(() -> arenas[nextArena.getAndIncrement() % arenas.length]);
    }

    /** Writes an empty heap: one free span over all chunks. */
    public static void format(PersistentMemory memory, PoolLayout layout) {
        memory.putLong(layout.chunkHeaderOffset(0), ChunkHeader.of(ChunkHeader.FREE, layout.chunkCount()));
        memory.flush(layout.chunkHeaderOffset(0), 8);
    }

    /**
     * Rebuilds the volatile heap from the chunk header table: one read per span plus the bitmap of
     * each run, so the cost follows the pool's size, not its object count.
     *
     * @param growth how the pool grows when its chunks run out, or null for a pool that does not
     * @throws HeapDamageException if the table does not describe the heap
     */
    public static Heap open(PersistentMemory memory, PoolLayout layout, Lanes lanes, PoolGrowth growth)
            throws HeapDamageException {
        Heap heap = new Heap(memory, layout, lanes, growth);
        heap.rebuild();
        heap.sortRunsInBackground();
        return heap;
    }

    private void rebuild() throws HeapDamageException {
        int chunk = 0;
        int count = layout.chunkCount();
        while (chunk < count) {
            long header = memory.getLong(layout.chunkHeaderOffset(chunk));
            int type = ChunkHeader.type(header);
            int length = ChunkHeader.chunks(header);
            if (type == 0 || length <= 0 || length > count - chunk) {
                throw new HeapDamageException(
                        "chunk " + chunk + " has " + ChunkHeader.describe(header) + " (heap has " + count + " chunks)");
            }
            switch (type) {
                case ChunkHeader.FREE -> freeSpans.addMerged(chunk, length);
                case ChunkHeader.USED -> usedSpans.put(chunk, length);
                default -> loadRun(chunk, length, header);
            }
            chunk += length;
        }
    }

    private void loadRun(int chunk, int length, long header) throws HeapDamageException {
        int sizeClass = ChunkHeader.runClass(header);
        if (!Run.fits(sizeClass, length)) {
            throw new HeapDamageException("chunk " + chunk + " has a run of " + length + " chunks with size class "
                    + sizeClass + ", which does not fit");
        }
        Run run = Run.lazy(memory, chunk, length, sizeClass, layout.chunkOffset(chunk));
        register(run);
        unsorted.add(run);
    }

    /**
     * Reads the runs found on open and queues those with free units. Runs once in the background
     * after open (so open itself touches no run), and inline when an allocation finds no chunk
     * left, so space in unread runs is never reported missing. Idempotent and thread-safe.
     */
    private void sortRuns() {
        Run run;
        while ((run = unsorted.poll()) != null) {
            // A free may have listed it already (it loads the run itself).
            if (run.hasFreeUnit() && run.listed.compareAndSet(false, true)) {
                partialRuns[run.sizeClass].add(run);
            }
        }
    }

    private void sortRunsInBackground() {
        if (unsorted.isEmpty()) {
            return;
        }
        // A platform daemon thread: a virtual one would start the JVM's virtual-thread scheduler,
        // which cost a fresh JVM's first open about 4 ms (docs/benchmarks.md, "Open again").
        Thread.ofPlatform().daemon().name("pmem-run-loader").start(() -> {
            try {
                sortRuns();
            } catch (IllegalStateException closed) {
                // the pool was closed before all runs were read: nothing to do
            }
        });
    }

    private void register(Run run) {
        for (int c = run.firstChunk; c < run.firstChunk + run.chunks; c++) {
            runOfChunk[c] = run;
        }
        synchronized (runs) {
            runs.add(run);
        }
    }

    // ---------------------------------------------------------------- allocation

    /**
     * An empty atomic change of the heap, to be closed by the caller; see {@link HeapOperation}.
     * A caller that changes the heap on every call under a lock of its own may keep one and
     * reuse it (the map keeps one per stripe).
     */
    public HeapOperation operation() {
        return new HeapOperation(this, lanes);
    }

    /**
     * Takes a block of at least {@code size} bytes in volatile state: its persistent metadata still
     * says free, so a crash forgets it. {@link #addPublish} then publishes it, {@link #cancel} gives it back.
     */
    public Block reserve(long size) throws OutOfSpace {
        if (size <= 0) {
            throw new IllegalArgumentException("allocation size must be positive: " + size);
        }
        lanes.failStop().check();
        if (size <= SizeClasses.MAX_SMALL) {
            long handle = takeUnit(SizeClasses.classOf(size));
            takenBeforeTheStop();
            Run run = runOfChunk[layout.chunkOf(handle)];
            return new Block.Unit(handle, run, run.unitOf(handle));
        }
        long chunks = (size + PoolLayout.CHUNK_SIZE - 1) / PoolLayout.CHUNK_SIZE;
        if (chunks > layout.maxChunkCount()) {
            throw new OutOfSpace();
        }
        int first = reserveChunks((int) chunks);
        takenBeforeTheStop();
        return new Block.Span(layout.chunkOffset(first), first, (int) chunks);
    }

    /**
     * Refuses space just taken if the pool has stopped meanwhile, keeping it taken. A failed commit
     * gives its space back after the stop is recorded, while its log, whole in the page cache, may
     * publish that space at the next open: whoever took it after the stop must not write it.
     * Checked after the take, as a thread can pass a check at the start and then wait for a lock
     * through the whole failure.
     */
    private void takenBeforeTheStop() {
        lanes.failStop().check();
    }

    /**
     * Takes a unit of {@code size} bytes or more (at most {@link #maxUnitSize()}) in volatile state,
     * as {@link #reserve} does, but allocates nothing on the Java heap: the handle alone names the
     * block (its chunk gives the run, its offset the unit). For writers that reserve on every
     * operation, such as the map's puts; {@link #addPublishUnit} and {@link #cancelUnit} go with it.
     */
    public long reserveUnit(long size) throws OutOfSpace {
        if (size <= 0 || size > SizeClasses.MAX_SMALL) {
            throw new IllegalArgumentException("unit size must be 1.." + SizeClasses.MAX_SMALL + ": " + size);
        }
        lanes.failStop().check();
        long handle = takeUnit(SizeClasses.classOf(size));
        takenBeforeTheStop();
        return handle;
    }

    /** The largest block {@link #reserveUnit} takes; larger ones take whole chunks through {@link #reserve}. */
    public static long maxUnitSize() {
        return SizeClasses.MAX_SMALL;
    }

    /** Adds to {@code batch} the change that makes the unit reserved by {@link #reserveUnit} allocated. */
    public void addPublishUnit(long handle, RedoBatch batch) {
        Run run = runOfChunk[layout.chunkOf(handle)];
        int unit = run.unitOf(handle);
        batch.or(run.bitmapWordOffset(unit), Run.bitMask(unit));
    }

    /** Gives back a unit reserved by {@link #reserveUnit} whose batch was never committed. */
    public void cancelUnit(long handle) {
        Run run = runOfChunk[layout.chunkOf(handle)];
        releaseUnit(run, run.unitOf(handle));
    }

    /** Takes a unit of {@code sizeClass}; returns its handle. */
    private long takeUnit(int sizeClass) throws OutOfSpace {
        LastFreed last = lastFreed.get();
        Run recent = last.run[sizeClass];
        if (recent != null) {
            last.run[sizeClass] = null;
            if (recent.reserve(last.unit[sizeClass])) {
                return recent.handleOf(last.unit[sizeClass]);
            }
        }
        Arena arena = arenaOfThread.get();
        synchronized (arena) {
            Run run = arena.current[sizeClass];
            if (run != null) {
                int unit = run.reserve();
                if (unit >= 0) {
                    return run.handleOf(unit);
                }
                park(run);
                arena.current[sizeClass] = null;
            }
            while ((run = partialRuns[sizeClass].poll()) != null) {
                int unit = run.reserve();
                if (unit >= 0) {
                    arena.current[sizeClass] = run;
                    return run.handleOf(unit);
                }
                park(run);
            }
            try {
                run = newRun(sizeClass);
            } catch (OutOfSpace noChunks) {
                if (unsorted.isEmpty()) {
                    throw noChunks;
                }
                sortRuns();
                return takeUnit(sizeClass);
            }
            arena.current[sizeClass] = run;
            return run.handleOf(run.reserve());
        }
    }

    /** Drops a full run from circulation; a free that finds it parked lists it again. */
    private void park(Run run) {
        run.listed.set(false);
        // A free may have slipped in before the flag dropped and seen it still listed: it frees
        // its bit and then reads the flag, this drops the flag and then reads the bits.
        if (run.hasFreeUnit() && run.listed.compareAndSet(false, true)) {
            partialRuns[run.sizeClass].add(run);
        }
    }

    private Run newRun(int sizeClass) throws OutOfSpace {
        int chunks = SizeClasses.runChunks(sizeClass);
        int first = reserveChunks(chunks);
        // The run's header and bitmap are written and flushed while its chunk header still says
        // free; the commit drains them before the single store that turns the span into a run.
        Run run = Run.create(memory, first, chunks, sizeClass, layout.chunkOffset(first));
        lanes.commit(new RedoBatch().set(layout.chunkHeaderOffset(first), ChunkHeader.ofRun(chunks, sizeClass)));
        run.listed.set(true);
        register(run);
        return run;
    }

    /**
     * Takes a span of exactly {@code chunks} chunks. A larger free span is split at once and
     * durably, so the remainder is a free span of its own that other threads may take: the new
     * header of the remainder is written first (inside the free span, nobody reads it), then one
     * store shortens the span.
     */
    private int reserveChunks(int chunks) throws OutOfSpace {
        while (true) {
            PoolLayout seen;
            chunkLock.lock();
            try {
                FreeSpans.Span span = freeSpans.takeBestFit(chunks);
                if (span == null && reclaimEmptyRuns() > 0) {
                    span = freeSpans.takeBestFit(chunks);
                }
                if (span != null) {
                    split(span, chunks);
                    return span.start();
                }
                seen = layout;
            } finally {
                chunkLock.unlock();
            }
            // Out of the chunk lock: a growth's slow part must not stop frees and other reservations.
            if (!grow(seen, chunks)) {
                throw new OutOfSpace();
            }
        }
    }

    /** Cuts {@code span} to its first {@code chunks} chunks, the rest a free span of its own; chunk lock held. */
    private void split(FreeSpans.Span span, int chunks) {
        if (span.length() > chunks) {
            int rest = span.start() + chunks;
            long restHeader = layout.chunkHeaderOffset(rest);
            memory.putLong(restHeader, ChunkHeader.of(ChunkHeader.FREE, span.length() - chunks));
            memory.flush(restHeader, 8);
            memory.drain();
            long header = layout.chunkHeaderOffset(span.start());
            memory.putLongAtomic(header, ChunkHeader.of(ChunkHeader.FREE, chunks));
            memory.persist(header, 8);
            freeSpans.add(rest, span.length() - chunks);
        }
    }

    /**
     * Grows the pool, found without room for {@code chunks} chunks at layout {@code seen}, for them
     * (or up to its maximum). One growth at a time; a thread that waited for another's returns at
     * once to look again. The order makes it crash-safe: the file gets the space first, with no
     * lock of the heap held, as that is the slow part (a crash then leaves a longer file, trimmed
     * at open); then, under the chunk lock, the header of the new free span is written and
     * persisted past the heap's end, where no walk reads it; then the pool header takes the new
     * size, the single step after which those chunks are part of the heap. Only then are they
     * handed out.
     *
     * @return whether the heap has more chunks than at {@code seen}
     */
    private boolean grow(PoolLayout seen, int chunks) {
        if (growth == null) {
            return false;
        }
        lanes.failStop().check(); // no growth on storage that just failed
        growthLock.lock();
        try {
            if (layout != seen) {
                return true;
            }
            long newSize = growth.nextSize(seen, chunks);
            if (newSize <= seen.poolSize() || !growth.extend(newSize)) {
                return false;
            }
            PoolLayout grown = seen.withSize(newSize);
            int first = seen.chunkCount();
            int added = grown.chunkCount() - first;
            chunkLock.lock();
            try {
                long header = seen.chunkHeaderOffset(first);
                memory.putLong(header, ChunkHeader.of(ChunkHeader.FREE, added));
                memory.persist(header, 8);
                growth.commit(newSize);
                layout = grown;
                freeSpans.addMerged(first, added);
            } finally {
                chunkLock.unlock();
            }
            return true;
        } finally {
            growthLock.unlock();
        }
    }

    /**
     * Turns runs whose units are all free back into free chunks, so space one size class no
     * longer needs serves others. Runs an arena holds as its current run stay. Called with the
     * chunk lock held when chunks run out.
     *
     * @return the number of runs reclaimed
     */
    private int reclaimEmptyRuns() {
        int reclaimed = 0;
        for (ConcurrentLinkedQueue<Run> queue : partialRuns) {
            for (Run run : queue) {
                // Out of the queue, not current anywhere and with no unit taken, nobody can reach
                // the run any more: its volatile state is final.
                if (!run.isEmpty() || !queue.remove(run)) {
                    continue;
                }
                // A thread may still take a unit it freed last (Run.reserve(int)): flag the run
                // first, then read the bits; that reserve takes its bit first, then reads the flag.
                run.retiring = true;
                if (!run.isEmpty()) { // a reserve slipped in before the removal
                    run.retiring = false;
                    queue.add(run);
                    continue;
                }
                // Every unit's persistent bit is clear (frees clear it before they release), so
                // one store of the chunk header frees the run as a whole.
                lanes.commit(new RedoBatch()
                        .set(layout.chunkHeaderOffset(run.firstChunk), ChunkHeader.of(ChunkHeader.FREE, run.chunks)));
                for (int c = run.firstChunk; c < run.firstChunk + run.chunks; c++) {
                    runOfChunk[c] = null;
                }
                synchronized (runs) {
                    runs.remove(run);
                }
                freeSpans.addMerged(run.firstChunk, run.chunks);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /** Adds to {@code batch} the change that makes the reserved block allocated. */
    public void addPublish(Block reserved, RedoBatch batch) {
        reserved.addAllocate(this, batch);
    }

    /** Records in volatile state that the reservation's batch was committed. */
    public void published(Block reserved) {
        reserved.allocated(this);
    }

    /** Gives back a reservation whose batch was never committed. */
    public void cancel(Block reserved) {
        reserved.allocationCancelled(this);
    }

    /** The layout at the pool's current size. */
    public PoolLayout layout() {
        return layout;
    }

    void spanUsed(int firstChunk, int chunks) {
        usedSpans.put(firstChunk, chunks);
    }

    void spanUnused(int firstChunk) {
        usedSpans.remove(firstChunk);
    }

    void spanAvailable(int firstChunk, int chunks) {
        chunkLock.lock();
        try {
            freeSpans.addMerged(firstChunk, chunks);
        } finally {
            chunkLock.unlock();
        }
    }

    void rememberFreed(Run run, int unit) {
        LastFreed last = lastFreed.get();
        last.run[run.sizeClass] = run;
        last.unit[run.sizeClass] = unit;
    }

    void releaseUnit(Run run, int unit) {
        if (!run.release(unit)) {
            throw new IllegalStateException("unit " + unit + " of run at chunk " + run.firstChunk + " released twice");
        }
        if (!run.listed.get() && run.listed.compareAndSet(false, true)) {
            partialRuns[run.sizeClass].add(run);
        }
    }

    // ---------------------------------------------------------------- free

    /**
     * Adds to {@code batch} the change that frees the block at {@code handle}; {@link #freed}
     * completes the free once the batch is committed, {@link #freeAbandoned} if it is not.
     *
     * @throws IllegalArgumentException if {@code handle} is not a live block
     */
    public Block addFree(long handle, RedoBatch batch) {
        Block block = beginTxFree(handle);
        block.addFree(this, batch);
        return block;
    }

    /** Completes a free after its batch was committed: the space becomes available. */
    public void freed(Block block) {
        block.freed(this);
    }

    /** Undoes {@link #addFree} whose batch was not committed: the block stays allocated. */
    public void freeAbandoned(Block block) {
        block.freeAbandoned(this);
    }

    private static IllegalArgumentException notABlock(long handle) {
        return new IllegalArgumentException("handle " + handle + " is not the start of an allocated block"
                + " (already freed, never allocated, or an offset inside a block)");
    }

    // ---------------------------------------------------------------- transactions

    /** The persistent word that says whether {@code block} is allocated; transactions change it themselves. */
    public Block.StateWord stateWord(Block block) {
        return block.stateWord(this);
    }

    /**
     * Starts a free: validates {@code handle} and takes the block out of the live set, but keeps
     * its space reserved until {@link #freed} (the free is durable) or {@link #freeAbandoned}
     * (it is not going to be). Transactions change the state word themselves; {@link #addFree}
     * puts the change in a redo batch.
     */
    public Block beginTxFree(long handle) {
        Block block = takeLive(handle);
        if (block == null) {
            throw notABlock(handle);
        }
        return block;
    }

    /**
     * {@link #addFree} for a handle read from a structure that may be damaged: adds nothing and
     * returns null when no live block starts at {@code handle}, with the one check a free makes anyway.
     */
    public Block addFreeIfLive(long handle, RedoBatch batch) {
        Block block = takeLive(handle);
        if (block != null) {
            block.addFree(this, batch);
        }
        return block;
    }

    /** The live block starting at {@code handle}, taken out of the live set as {@link #beginTxFree} says, or null. */
    private Block takeLive(long handle) {
        PoolLayout now = layout; // one read of the volatile: a growth may replace it meanwhile
        int chunk = now.chunkOf(handle);
        if (chunk < 0) {
            return null;
        }
        Run run = runOfChunk[chunk];
        if (run != null) {
            int unit = run.unitOf(handle);
            return unit >= 0 && run.isTaken(unit) ? new Block.Unit(handle, run, unit) : null;
        }
        Integer length = now.chunkOffset(chunk) == handle ? usedSpans.remove(chunk) : null;
        return length == null ? null : new Block.Span(handle, chunk, length);
    }

    /** An allocated block: where it starts and its usable size. */
    public record Extent(long handle, long size) {

        /** Whether {@code [offset, offset + length)} lies inside the block. */
        public boolean holds(long offset, long length) {
            return offset >= handle && offset + length >= offset && offset + length <= handle + size;
        }
    }

    /** The allocated block holding {@code offset}, or null if none does. */
    public Extent blockContaining(long offset) {
        PoolLayout now = layout;
        int chunk = now.chunkOf(offset);
        if (chunk < 0) {
            return null;
        }
        Run run = runOfChunk[chunk];
        if (run != null) {
            long rel = offset - run.dataOffset;
            if (rel < 0 || rel / run.unitSize >= run.units || !run.isTaken((int) (rel / run.unitSize))) {
                return null;
            }
            return new Extent(run.handleOf((int) (rel / run.unitSize)), run.unitSize);
        }
        var span = usedSpans.floorEntry(chunk);
        if (span == null || span.getKey() + span.getValue() <= chunk) {
            return null;
        }
        return new Extent(now.chunkOffset(span.getKey()), span.getValue() * PoolLayout.CHUNK_SIZE);
    }

    // ---------------------------------------------------------------- check

    /**
     * Checks the persistent heap against itself and against the volatile state: every span header
     * valid, the spans tiling the heap, every run's header and bitmap padding right, and every
     * run's persistent bitmap equal to its volatile copy (true on a pool with no operation in
     * flight). Bits that open transactions change at their commit ({@code inFlight}: bitmap word
     * offset to mask) are left out of that comparison: their units are taken in memory, and their
     * bits still as before on media, until the commit. Appends one line per problem, with its
     * location, to {@code problems}.
     *
     * @return the number of allocated blocks seen
     */
    public long check(List<String> problems, Map<Long, Long> inFlight) {
        long blocks = 0;
        int chunk = 0;
        int count = layout.chunkCount();
        while (chunk < count) {
            long at = layout.chunkHeaderOffset(chunk);
            long header = memory.getLong(at);
            int type = ChunkHeader.type(header);
            int length = ChunkHeader.chunks(header);
            if (type == 0 || length <= 0 || length > count - chunk) {
                problems.add("offset " + at + ": chunk " + chunk + " has " + ChunkHeader.describe(header)
                        + "; the rest of the heap cannot be walked");
                return blocks;
            }
            if (type == ChunkHeader.USED) {
                blocks++;
                if (!Integer.valueOf(length).equals(usedSpans.get(chunk))) {
                    problems.add("offset " + at + ": chunk " + chunk + " is a used span the allocator does not know");
                }
            } else if (type == ChunkHeader.RUN) {
                blocks += checkRun(chunk, length, header, problems, inFlight);
            }
            chunk += length;
        }
        return blocks;
    }

    private long checkRun(int chunk, int length, long header, List<String> problems, Map<Long, Long> inFlight) {
        Run run = runOfChunk[chunk];
        int sizeClass = ChunkHeader.runClass(header);
        long offset = layout.chunkOffset(chunk);
        if (run == null || run.firstChunk != chunk || !Run.fits(sizeClass, length)) {
            problems.add("offset " + layout.chunkHeaderOffset(chunk) + ": run at chunk " + chunk
                    + " does not match the allocator's runs (class " + sizeClass + ", " + length + " chunks)");
            return 0;
        }
        if (memory.getLong(offset) != Run.headerWord(run.unitSize, run.units)) {
            problems.add("offset " + offset + ": run at chunk " + chunk + " has a damaged header");
            return 0;
        }
        long used = 0;
        for (int w = 0; w < Run.bitmapWords(run.units); w++) {
            long word = memory.getLong(run.bitmapOffset + 8L * w);
            long padding = Run.paddingMask(run.units, w);
            if ((word & padding) != padding) {
                problems.add("offset " + (run.bitmapOffset + 8L * w) + ": run at chunk " + chunk
                        + " has padding bits clear in bitmap word " + w);
            }
            long pending = inFlight.getOrDefault(run.bitmapOffset + 8L * w, 0L);
            for (int bit = 0; bit < 64 && w * 64 + bit < run.units; bit++) {
                int unit = w * 64 + bit;
                boolean persistent = (word & (1L << bit)) != 0;
                if (persistent != run.isTaken(unit) && (pending & (1L << bit)) == 0) {
                    problems.add("offset " + run.handleOf(unit) + ": unit " + unit + " of run at chunk " + chunk
                            + (persistent
                                    ? " is allocated on media but free in the allocator"
                                    : " is free on media but taken in the allocator"));
                }
                used += persistent ? 1 : 0;
            }
        }
        return used;
    }

    // ---------------------------------------------------------------- queries

    /** Usable size of the block at {@code handle}. */
    public long sizeOf(long handle) {
        long size = blockSize(handle);
        if (size < 0) {
            throw notABlock(handle);
        }
        return size;
    }

    /**
     * Whether {@code handle} is the start of an allocated block of at least {@code size} bytes;
     * false for anything else, without throwing. Reads only volatile state.
     */
    public boolean isLiveBlockOf(long handle, long size) {
        return blockSize(handle) >= size;
    }

    /** Usable size of the allocated block starting at {@code handle}, or -1 if none starts there. */
    private long blockSize(long handle) {
        PoolLayout now = layout;
        int chunk = now.chunkOf(handle);
        if (chunk < 0) {
            return -1;
        }
        Run run = runOfChunk[chunk];
        if (run != null) {
            int unit = run.unitOf(handle);
            return unit >= 0 && run.isTaken(unit) ? run.unitSize : -1;
        }
        Integer length = now.chunkOffset(chunk) == handle ? usedSpans.get(chunk) : null;
        return length != null ? length * PoolLayout.CHUNK_SIZE : -1;
    }

    /** Whether {@code [offset, offset + length)} lies in the heap's data area. */
    public boolean inHeap(long offset, long length) {
        // no sum that can overflow: both come from the file and may be anything
        PoolLayout now = layout;
        return length >= 0 && offset >= now.chunkDataOffset() && offset <= now.heapEnd() - length;
    }

    /** Usage figures, computed on demand (they walk the runs, not the objects). */
    public HeapUsage usage() {
        long used = 0;
        long freeInRuns = 0;
        long objects = 0;
        long largestUnitFree = 0;
        List<Run> snapshot;
        synchronized (runs) {
            snapshot = List.copyOf(runs);
        }
        for (Run run : snapshot) {
            int freeUnits = run.freeUnits();
            long taken = run.units - freeUnits;
            used += taken * run.unitSize;
            objects += taken;
            freeInRuns += (long) freeUnits * run.unitSize;
            if (freeUnits > 0) {
                largestUnitFree = Math.max(largestUnitFree, run.unitSize);
            }
        }
        for (int length : usedSpans.values()) {
            used += length * PoolLayout.CHUNK_SIZE;
            objects++;
        }
        long freeChunks;
        int largestSpan;
        chunkLock.lock();
        try {
            freeChunks = freeSpans.freeChunks();
            largestSpan = freeSpans.largestSpan();
        } finally {
            chunkLock.unlock();
        }
        long heapSize = layout.chunkCount() * PoolLayout.CHUNK_SIZE;
        return new HeapUsage(
                heapSize,
                used,
                freeChunks * PoolLayout.CHUNK_SIZE + freeInRuns,
                Math.max(largestSpan * PoolLayout.CHUNK_SIZE, largestUnitFree),
                objects,
                snapshot.size());
    }
}
