package dev.pmemspring.core;

import org.jspecify.annotations.Nullable;

import dev.pmemspring.core.internal.file.PoolFile;
import dev.pmemspring.core.internal.file.PoolGrowth;
import dev.pmemspring.core.internal.file.PoolHeader;
import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.device.PmemDevice;
import dev.pmemspring.core.internal.file.ShutdownState;
import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.HeapDamageException;
import dev.pmemspring.core.internal.heap.HeapOperation;
import dev.pmemspring.core.internal.heap.HeapUsage;
import dev.pmemspring.core.internal.heap.Block;
import dev.pmemspring.core.internal.log.Lanes;
import dev.pmemspring.core.internal.log.RedoBatch;
import dev.pmemspring.core.internal.map.MapCatalogue;
import dev.pmemspring.core.internal.map.MapDamageException;
import dev.pmemspring.core.internal.map.PersistentHashMap;
import dev.pmemspring.core.internal.memory.FailStop;
import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.MemoryDecorator;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import dev.pmemspring.core.internal.tx.TransactionEngine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A pool of persistent memory: one memory-mapped file holding a heap whose blocks, and the links
 * between them, survive a crash (the Java counterpart of PMDK's {@code PMEMobjpool}).
 *
 * <p>A block is named by its <em>handle</em>, a {@code long} offset from the pool start that stays
 * valid across restarts (0 is null). Allocation metadata is changed atomically, and an allocation
 * can be published into a persistent field of another block in the same atomic step, so a crash
 * never leaks a block nor leaves a field pointing to free space.
 *
 * <pre>{@code
 * try (PmemPool pool = PmemPool.openOrCreate(Path.of("/dev/shm/app.pool"),
 *         PoolOptions.layout("app").withSize(64L << 20))) {
 *     MemoryBlock root = pool.root(64);                       // zeroed on first use
 *     long head = pool.allocateInto(root.fieldHandle(0), 256, block -> {
 *         block.putLong(0, 42);                               // persisted before publication
 *     });
 *     pool.freeFrom(root.fieldHandle(0));                     // frees it and clears the field
 * }
 * }</pre>
 *
 * <p>All methods are thread-safe. One process holds a pool at a time (an OS file lock); closing the
 * pool unmaps it at once, after which it may be opened again.
 *
 * <p>Longer than most files here: it is the public face of every mechanism (open, allocation,
 * transactions, maps, check, info), each method a short delegation with its documentation.
 */
public final class PmemPool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PmemPool.class.getName());

    private final PoolFile file;
    private final PersistentMemory memory;
    private final PoolLayout layout;
    private final Heap heap;
    private final PoolGrowth growth;
    private final Lanes lanes;
    private final TransactionEngine transactions;
    private final Durability durability;
    private final RecoveryReport recovery;
    private final PmemDevice device;
    private final FlushMethod flush;
    private final Object rootLock = new Object();
    private final MapCatalogue catalogue;
    private final java.util.concurrent.ConcurrentHashMap<String, PmemMap> maps =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;

    private PmemPool(
            PoolFile file,
            PersistentMemory memory,
            Lanes lanes,
            Heap heap,
            PoolGrowth growth,
            PoolOptions options,
            RecoveryReport recovery,
            PmemDevice device,
            FlushMethod flush) {
        this.file = file;
        this.device = device;
        this.flush = flush;
        this.memory = memory;
        this.layout = file.layout();
        this.lanes = lanes;
        this.heap = heap;
        this.growth = growth;
        this.durability = options.durability();
        this.recovery = recovery;
        this.transactions = new TransactionEngine(
                memory, layout, heap, lanes, options.lockTimeout(), file.path(), this::outOfMemory);
        this.catalogue = new MapCatalogue(memory, heap);
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Creates a new pool file of {@code options.size()} bytes, fully allocated on disk, with mode 0600.
     * With a {@linkplain PoolOptions#maxSize() maximum size} it grows by itself when its space runs
     * out; the maximum is fixed here.
     *
     * @throws PoolAlreadyExistsException if a file exists at {@code path}
     * @throws PoolTooSmallException if the size is below 8 MiB
     * @throws PoolNoSpaceException if the file system has no room for it
     */
    public static PmemPool create(Path path, PoolOptions options) {
        if (options.layout() == null) {
            throw new IllegalArgumentException("a pool needs a layout name to be created");
        }
        PoolFile.create(
                path,
                options.layout(),
                options.size(),
                options.effectiveMaxSize(),
                format -> Heap.format(new MappedMemory(format.segment(), false), format.layout()));
        return open(path, options, true);
    }

    /**
     * Opens an existing pool: validates its headers, recovers what a crash interrupted, and rebuilds
     * the allocator's volatile state.
     *
     * @throws NotAPoolException, PoolTruncatedException, PoolCorruptedException,
     *         PoolLayoutMismatchException, PoolFormatTooNewException, PoolInUseException
     *         each with a message saying what to do
     */
    public static PmemPool open(Path path, PoolOptions options) {
        return open(path, options, false);
    }

    /** Opens the pool at {@code path}, which {@code created} says was just made (for the log line). */
    private static PmemPool open(Path path, PoolOptions options, boolean created) {
        long start = System.nanoTime();
        boolean sync = options.durability() == Durability.SYNC;
        PoolFile file = PoolFile.open(path, options.layout(), sync);
        try {
            PmemDevice device = PmemDevice.of(path);
            FlushMethod flush = FlushMethod.of(options.durability(), file.mapping(), device.domain());
            FailStop failStop = new FailStop(path);
            PersistentMemory memory = MemoryDecorator.decorate(new MappedMemory(
                    file.segment(),
                    file.header().poolSize(),
                    flush != FlushMethod.FENCE,
                    options.durability() == Durability.PROCESS,
                    file.backing(),
                    failStop));
            boolean machineCrash = ShutdownState.wasCutByMachineCrash(memory);
            boolean deviceLostWrites = ShutdownState.wasCutByDeviceDirtyShutdown(memory, device.dirtyShutdowns());
            boolean unsafeShutdown = machineCrash || deviceLostWrites;
            if (unsafeShutdown && !options.acceptUnsafeShutdown()) {
                // What it holds is read before anything writes to it: refused, it stays as it was.
                throw new PoolUnsafeShutdownException(
                        path,
                        (machineCrash
                                        ? "the pool was open in PROCESS durability when the machine"
                                                + " went down (OS crash or power loss), so any part of it may be torn"
                                        : "the pool was open when its device (" + device.region() + ") counted a"
                                                + " dirty shutdown: it lost power without flushing writes it had"
                                                + " accepted, so any part of the pool may be torn")
                                + "; open it with acceptUnsafeShutdown to salvage what verifies, or restore it from a"
                                + " backup",
                        memory.getLong(PoolLayout.ROOT_HANDLE) != 0,
                        MapCatalogue.namesBeforeOpen(memory, file.layout()));
            }
            PoolLayout layout = file.layout();
            boolean stoppedWhenLastOpen = memory.getLong(PoolLayout.STOPPED) != 0;
            failStop.markIn(memory, PoolLayout.STOPPED);
            Lanes lanes = new Lanes(memory, layout, failStop);
            // Redo first: it completes allocator operations, including log extensions the undo
            // logs are read through; then undo rolls back what transactions left open.
            int replayed = lanes.recoverRedo();
            int rolledBack = TransactionEngine.recover(memory, layout, unsafeShutdown);
            PoolHeader header = file.header();
            PoolGrowth growth = file.canGrow() ? new PoolGrowth(file, memory, options.growthStep()) : null;
            Heap heap = Heap.open(memory, layout, lanes, growth);
            ShutdownState.markOpen(memory, options.durability(), device.dirtyShutdowns());
            RecoveryReport report = new RecoveryReport(
                    replayed,
                    rolledBack,
                    file.headerRepaired(),
                    unsafeShutdown,
                    stoppedWhenLastOpen,
                    Duration.ofNanos(System.nanoTime() - start));
            PmemPool pool = new PmemPool(file, memory, lanes, heap, growth, options, report, device, flush);
            LOG.log(
                    System.Logger.Level.INFO,
                    () -> (created ? "created pool " : "opened pool ") + path + " (layout '"
                            + header.layout() + "', " + header.poolSize() + " bytes"
                            + (growth != null ? ", grows to " + header.maxSize() : "")
                            + ", durability "
                            + options.durability() + ", mapping " + file.mapping() + ", persistence domain "
                            + device.domain() + (device.region() == null ? "" : " (" + device.region() + ")")
                            + ", flush " + flush + ")" + (created ? "" : "; recovery: " + report.summary()));
            if (unsafeShutdown) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "pool " + path
                                + (machineCrash
                                        ? " was cut by a machine crash while open in PROCESS durability"
                                        : " was open when its device counted a dirty shutdown")
                                + "; opened as asked, but its contents may be torn");
            }
            return pool;
        } catch (HeapDamageException e) {
            file.close();
            throw new PoolCorruptedException(
                    path,
                    "the allocator metadata is damaged (" + e.getMessage()
                            + "); run the check tool for details, and restore the file from a backup or delete it to start empty");
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /** Opens the pool at {@code path}, creating it first if no file is there. */
    public static PmemPool openOrCreate(Path path, PoolOptions options) {
        if (!Files.exists(path)) {
            try {
                return create(path, options);
            } catch (PoolAlreadyExistsException raced) {
                // another process created it first: open theirs
            }
        }
        return open(path, options);
    }

    /** Unmaps the pool and releases its lock. Blocks and views of it must not be used afterwards. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            boolean stoppedBefore = lanes.failStop().stopped();
            try {
                ShutdownState.markClosed(memory);
            } catch (RuntimeException e) {
                try {
                    file.close(); // the mapping, lock and descriptor go whatever the mark did
                } catch (RuntimeException alsoClose) {
                    e.addSuppressed(alsoClose);
                }
                if (!stoppedBefore) {
                    throw e; // the storage failed here first: the caller must hear of it
                }
                // A stopped pool's storage may refuse this write too.
                LOG.log(
                        System.Logger.Level.WARNING,
                        "pool " + file.path() + ": closed without its clean-close mark: " + e);
                return;
            }
            file.close();
        }
    }

    // ---------------------------------------------------------------- allocation

    /**
     * Allocates a block of at least {@code size} bytes; its contents are undefined. Nothing points
     * to it yet, so a crash before you store its handle somewhere persistent leaks it: prefer
     * {@link #allocateInto} for blocks that must be found again.
     *
     * @throws PoolOutOfMemoryException if the pool has no block that large free
     */
    public long allocate(long size) {
        return allocate(size, null, -1);
    }

    /**
     * Allocates a block, lets {@code initializer} write it, and persists it. The block is marked
     * allocated only after the initializer returns; if it throws, the block is given back.
     */
    public long allocate(long size, @Nullable Consumer<MemoryBlock> initializer) {
        return allocate(size, initializer, -1);
    }

    /**
     * Allocates a block, lets {@code initializer} write it, persists it, and stores its handle into
     * the 8-byte persistent field at pool offset {@code fieldHandle} (see {@link MemoryBlock#fieldHandle}),
     * all as one atomic step: after a crash either the field holds the new, initialized block, or
     * the field is unchanged and the block is free. A handle the field held before is overwritten,
     * not freed. {@code initializer} may be null (the contents are then undefined).
     */
    public long allocateInto(long fieldHandle, long size, @Nullable Consumer<MemoryBlock> initializer) {
        checkField(fieldHandle);
        return allocate(size, initializer, fieldHandle);
    }

    /*
     * allocate and free write out the steps a HeapOperation takes (reserve, add to one batch,
     * commit, complete; cancel on failure) instead of using one: on this hot path the JIT then
     * elides the batch and the reservation, and does not with the operation in between
     * (measured with AllocatorBenchmark.allocateFree, see docs/architecture.md). Every other heap
     * change uses HeapOperation.
     */

    private long allocate(long size, @Nullable Consumer<MemoryBlock> initializer, long fieldHandle) {
        ensureOpen();
        Block r = reserve(size);
        try {
            if (initializer != null) {
                initializer.accept(new MemoryBlock(memory, r.handle(), r.size()));
                memory.flush(r.handle(), r.size());
            }
            RedoBatch batch = new RedoBatch();
            heap.addPublish(r, batch);
            if (fieldHandle >= 0) {
                batch.set(fieldHandle, r.handle());
            }
            // The block's contents are flushed above; the commit drains them before publishing.
            lanes.commit(batch);
        } catch (RuntimeException | Error e) {
            heap.cancel(r);
            throw e;
        }
        heap.published(r);
        return r.handle();
    }

    private Block reserve(long size) {
        try {
            return heap.reserve(size);
        } catch (Heap.OutOfSpace e) {
            throw outOfMemory(size);
        }
    }

    private long reserve(HeapOperation op, long size) {
        try {
            return op.reserve(size);
        } catch (Heap.OutOfSpace e) {
            throw outOfMemory(size);
        }
    }

    /** The error for an allocation of {@code size} bytes that found no space; says why the pool did not grow. */
    PoolOutOfMemoryException outOfMemory(long size) {
        HeapUsage usage = heap.usage();
        PmemException cannotGrow = null;
        if (growth != null && growth.refused()) {
            String message =
                    "the pool could not grow past " + heap.layout().poolSize() + " bytes: " + growth.lastFailure();
            cannotGrow = growth.refusedForSpace()
                    ? new PoolNoSpaceException(
                            file.path(), message + "; free space on its file system (it grows again by itself)")
                    : new PmemException(file.path(), message);
        }
        return new PoolOutOfMemoryException(file.path(), size, usage.free(), usage.largestFreeBlock(), cannotGrow);
    }

    /**
     * Frees the block at {@code handle}.
     *
     * @throws IllegalArgumentException if {@code handle} is not an allocated block (a double free is
     *         detected when the two frees do not race)
     */
    public void free(long handle) {
        free(handle, -1);
    }

    /**
     * Frees the block whose handle is stored in the persistent field at {@code fieldHandle} and sets
     * the field to 0, as one atomic step. Does nothing if the field is already 0.
     */
    public void freeFrom(long fieldHandle) {
        checkField(fieldHandle);
        long handle = memory.getLong(fieldHandle);
        if (handle != 0) {
            free(handle, fieldHandle);
        }
    }

    private void free(long handle, long fieldHandle) {
        ensureOpen();
        RedoBatch batch = new RedoBatch();
        Block release = heap.addFree(handle, batch);
        if (fieldHandle >= 0) {
            batch.set(fieldHandle, 0);
        }
        try {
            lanes.commit(batch);
        } catch (RuntimeException | Error e) {
            heap.freeAbandoned(release);
            throw e;
        }
        heap.freed(release);
    }

    /** The usable size of the block at {@code handle}: at least what was asked for. */
    public long sizeOf(long handle) {
        ensureOpen();
        return heap.sizeOf(handle);
    }

    /** A view of the allocated block at {@code handle}, bounded by its size. */
    public MemoryBlock block(long handle) {
        return new MemoryBlock(memory, handle, sizeOf(handle));
    }

    // ---------------------------------------------------------------- transactions

    /**
     * Runs {@code work} in a transaction: committed when it returns, rolled back (and the exception
     * rethrown) when it throws. Called inside another transaction on this thread, it joins it.
     */
    public void transaction(Consumer<Transaction> work) {
        transactionResult(tx -> {
            work.accept(tx);
            return null;
        });
    }

    /** As {@link #transaction(Consumer)}, returning what {@code work} returns. */
    public <T extends @Nullable Object> T transactionResult(Function<Transaction, T> work) {
        Transaction tx = begin();
        T result;
        try {
            result = work.apply(tx);
        } catch (RuntimeException | Error e) {
            try {
                tx.abort();
            } catch (RuntimeException | Error rollback) { // the pool stopped: the work's failure rides along
                rollback.addSuppressed(e);
                throw rollback;
            }
            throw e;
        }
        tx.commit();
        return result;
    }

    /**
     * Begins a transaction on the calling thread (or joins the one it has), for frameworks that
     * need explicit boundaries: end it with {@link Transaction#commit()} or {@link Transaction#abort()}.
     */
    public Transaction begin() {
        ensureOpen();
        return transactions.begin();
    }

    /** The calling thread's transaction, if it has one. */
    public java.util.Optional<Transaction> currentTransaction() {
        return java.util.Optional.ofNullable(transactions.current());
    }

    // ---------------------------------------------------------------- maps

    /**
     * The map named {@code name}, created empty if the pool has none of that name. After an unsafe
     * shutdown (opened with {@code acceptUnsafeShutdown}) the map is salvaged first: only entries
     * that verify are kept, and {@link MapStats#salvageDropped()} says how many were dropped.
     *
     * @throws IllegalArgumentException if the name is empty or longer than 47 UTF-8 bytes
     * @throws PoolOutOfMemoryException if the pool has no room for a new map
     * @throws PoolCorruptedException if the map, or the catalogue of maps, is damaged; a damaged map
     *         is set aside and the others keep working
     */
    public PmemMap map(String name) {
        ensureOpen();
        try {
            return maps.computeIfAbsent(name, this::openMap);
        } catch (MapDamageException e) {
            throw new PoolCorruptedException(
                    file.path(),
                    e.getMessage() + "; map '" + name + "' is set aside, the" + " other maps keep working: dropMap(\""
                            + name + "\") forgets it (its entries are lost)");
        }
    }

    private PmemMap openMap(String n) {
        long header = catalogue.find(n);
        if (header == 0) {
            lanes.failStop().check(); // creating writes the name into the catalogue before its commit
            try {
                header = catalogue.create(n);
            } catch (Heap.OutOfSpace e) {
                throw outOfMemory(PersistentHashMap.HEADER_SIZE + PersistentHashMap.initialTableBytes());
            }
        }
        PersistentHashMap map = PersistentHashMap.open(memory, heap, lanes, transactions.rewrites(), header);
        long dropped = 0;
        if (recovery.unsafeShutdown()) {
            dropped = map.salvage();
            if (dropped > 0) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "map '" + n + "' in pool " + file.path() + ": dropped " + dropped
                                + " entries that did not verify after the unsafe shutdown");
            }
        }
        return new PmemMap(this, n, map, dropped);
    }

    /** The names of the maps this pool holds. */
    public java.util.List<String> mapNames() {
        ensureOpen();
        try {
            return catalogue.names();
        } catch (MapDamageException e) {
            throw catalogueDamaged(e);
        }
    }

    private PoolCorruptedException catalogueDamaged(MapDamageException e) {
        return new PoolCorruptedException(
                file.path(),
                e.getMessage() + "; blocks reached by handle still work,"
                        + " but no map can: copy out what you need and create the pool anew");
    }

    /** Removes map {@code name} and frees all it holds; does nothing if there is none. */
    public void dropMap(String name) {
        ensureOpen();
        lanes.failStop().check();
        try {
            if (!maps.containsKey(name) && catalogue.find(name) == 0) {
                return;
            }
        } catch (MapDamageException e) {
            throw catalogueDamaged(e);
        }
        PmemMap map;
        try {
            map = maps.computeIfAbsent(name, this::openMap);
        } catch (MapDamageException damaged) {
            // Too damaged to empty: forget it, and leave its blocks allocated rather than free
            // them on the word of its damaged tables.
            catalogue.forget(name);
            LOG.log(
                    System.Logger.Level.WARNING,
                    "map '" + name + "' in pool " + file.path() + " was dropped damaged (" + damaged.getMessage()
                            + "); its blocks stay allocated");
            return;
        }
        synchronized (map) {
            map.internal().clear();
            catalogue.drop(name, map.internal().tables());
            map.markDropped();
            maps.remove(name);
        }
    }

    // ---------------------------------------------------------------- root

    /**
     * The root object: the one block a program finds without a handle, from which it reaches all
     * others. Allocated (zeroed) on first call; if {@code size} exceeds its current size it is
     * reallocated, contents kept and the rest zeroed, atomically. Like {@code pmemobj_root}.
     */
    public MemoryBlock root(long size) {
        ensureOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("root size must be positive: " + size);
        }
        synchronized (rootLock) {
            long handle = memory.getLong(PoolLayout.ROOT_HANDLE);
            long current = memory.getLong(PoolLayout.ROOT_SIZE);
            // Both words come from the file: the block they describe must be one the heap holds.
            if (handle != 0 && (current <= 0 || !heap.isLiveBlockOf(handle, current))) {
                throw new PoolCorruptedException(
                        file.path(),
                        "offset " + PoolLayout.ROOT_HANDLE + ": the root handle "
                                + handle + " (" + current + " bytes) names no live block of that size, so what the root"
                                + " reached is lost; maps still work. Restore the file from a copy to get the root back");
            }
            if (handle != 0 && current >= size) {
                return new MemoryBlock(memory, handle, current);
            }
            try (HeapOperation op = heap.operation()) {
                long fresh = reserve(op, size);
                MemoryBlock block = new MemoryBlock(memory, fresh, size);
                block.fill(0, size, (byte) 0);
                if (handle != 0) {
                    block.copyFrom(new MemoryBlock(memory, handle, current), 0, 0, current);
                    op.free(handle);
                }
                memory.flush(fresh, size);
                op.set(PoolLayout.ROOT_HANDLE, fresh).set(PoolLayout.ROOT_SIZE, size);
                op.commit();
                return block;
            }
        }
    }

    /** The root object's size, or 0 if it was never allocated. */
    public long rootSize() {
        ensureOpen();
        return memory.getLong(PoolLayout.ROOT_SIZE);
    }

    // ---------------------------------------------------------------- state

    public Path path() {
        return file.path();
    }

    public Durability durability() {
        return durability;
    }

    public MappingMode mapping() {
        return file.mapping();
    }

    /** Where a store becomes persistent on the device under this pool, as Linux reports it. */
    public PersistenceDomain persistenceDomain() {
        return device.domain();
    }

    /** What a persist point does in this pool: chosen at open as the cheapest that keeps its durability. */
    public FlushMethod flushMethod() {
        return flush;
    }

    /**
     * The dirty shutdown count of the device under this pool (the sum over its DIMMs) when it was
     * opened, or -1 when the device reports none. A pool left open whose device counts more at the
     * next open is treated as cut by an unsafe shutdown, as after a machine crash in process mode.
     */
    public long deviceDirtyShutdowns() {
        return device.dirtyShutdowns();
    }

    /** What opening this pool had to recover. */
    public RecoveryReport lastRecovery() {
        return recovery;
    }

    public PoolStats stats() {
        ensureOpen();
        HeapUsage u = heap.usage();
        PoolHeader h = file.header();
        return new PoolStats(
                h.poolSize(),
                h.initialSize(),
                h.maxSize(),
                h.growths(),
                growth == null ? 0 : growth.failures(),
                growth != null && !growth.refused() && h.poolSize() < h.maxSize(),
                u.heapSize(),
                u.used(),
                u.free(),
                u.largestFreeBlock(),
                u.objects(),
                transactions.committed(),
                transactions.aborted());
    }

    public PoolInfo info() {
        ensureOpen();
        PoolHeader h = file.header();
        PoolStats stats = stats();
        return new PoolInfo(
                file.path(),
                h.uuid(),
                h.layout(),
                h.major() + "." + h.minor(),
                Instant.ofEpochMilli(h.creationTimeMillis()),
                durability,
                file.mapping(),
                device.domain(),
                flush,
                device.dirtyShutdowns(),
                h.laneCount(),
                stats,
                heap.usage().runs(),
                recovery);
    }

    /**
     * Walks the pool's metadata: both header copies, every lane's logs, the chunk table and every
     * run's bitmap (against the allocator's volatile state), and every map's slots, entries and
     * counters. Best on a quiet pool: an allocator finding is reported only if two more walks 10 ms
     * apart see it again (else it is listed as unconfirmed), and the run bits open transactions
     * change at their commit are left out, but an operation stalled through all three walks still
     * looks like damage.
     */
    public CheckReport check() {
        ensureOpen();
        java.util.List<String> problems = new java.util.ArrayList<>();
        file.checkHeaders(problems);
        java.util.List<String> allocator = new java.util.ArrayList<>();
        long blocks = checkAllocator(allocator);
        // Writers may be running: an allocator finding can be an operation caught between its
        // steps. What two more walks, a moment apart, still see is damage; the rest was in flight.
        java.util.List<String> unconfirmed = new java.util.ArrayList<>();
        for (int pass = 0; pass < 2 && !allocator.isEmpty(); pass++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            java.util.List<String> again = new java.util.ArrayList<>();
            checkAllocator(again);
            java.util.Set<String> seen = new java.util.HashSet<>(again);
            allocator.removeIf(finding -> !seen.contains(finding) && unconfirmed.add(finding));
        }
        problems.addAll(allocator);
        long entries = 0;
        java.util.List<String> names;
        try {
            names = catalogue.names();
        } catch (MapDamageException e) {
            problems.add(e.getMessage());
            return new CheckReport(problems, blocks, 0, 0, unconfirmed);
        }
        problems.addAll(catalogue.damagedSlots());
        for (String name : names) {
            try {
                entries += maps.computeIfAbsent(name, this::openMap).internal().check(name, problems);
            } catch (MapDamageException e) {
                problems.add(e.getMessage() + " (map '" + name + "', set aside)");
            }
        }
        return new CheckReport(problems, blocks, names.size(), entries, unconfirmed);
    }

    /** Lanes and heap: state that allocator operations change step by step, outside any lock a check takes. */
    private long checkAllocator(java.util.List<String> problems) {
        for (int i = 0; i < lanes.count(); i++) {
            if (lanes.get(i).redo().pending() != null) {
                problems.add("offset " + layout.laneOffset(i) + ": lane " + i + " holds an unapplied redo log");
            }
        }
        return heap.check(problems, transactions.runBitsInFlight());
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Why the pool takes no more changes, or empty while it does: after a failed write-back to its
     * file, or a log that could not be applied, every change is refused with
     * {@link PoolStoppedException} until the pool is closed and opened again.
     */
    public java.util.Optional<String> stopReason() {
        return java.util.Optional.ofNullable(lanes.failStop().reason());
    }

    /**
     * Whether the pool has stopped taking changes ({@link #stopReason()}); one volatile read, for
     * callers that check on every operation. A Spring cache on the pool then answers every read
     * with a miss, and a JCache cache throws: a write or eviction asked for since is refused, so
     * what the pool still holds may be older than what the application changed.
     */
    public boolean isStopped() {
        return lanes.failStop().stopped();
    }

    /**
     * Whether the pool records a stop ({@link PoolStoppedException}) that nobody has acknowledged:
     * it had stopped taking changes when it was open, so changes asked for then were refused and
     * data derived from others (a cache) may be older than its source. The mark stays, across any
     * number of opens, until {@link #acknowledgeStop()}; the cache managers empty their caches
     * and acknowledge it.
     */
    public boolean stopMarked() {
        ensureOpen();
        return memory.getLong(PoolLayout.STOPPED) != 0;
    }

    /**
     * Clears the mark {@link #stopMarked()} reads, durably: call it once what the refused changes
     * may have left stale is dealt with (the cache managers call it after emptying every cache).
     */
    public void acknowledgeStop() {
        ensureOpen();
        lanes.failStop().check();
        memory.putLongAtomic(PoolLayout.STOPPED, 0);
        memory.persist(PoolLayout.STOPPED, 8);
    }

    private void checkField(long fieldHandle) {
        if ((fieldHandle & 7) != 0 || !heap.inHeap(fieldHandle, 8)) {
            throw new IllegalArgumentException("field handle " + fieldHandle + " is not an 8-aligned offset inside"
                    + " the pool's heap; use MemoryBlock.fieldHandle(offset) of an allocated block");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("pool " + file.path() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "PmemPool[" + file.path() + ", " + durability + ", " + file.mapping() + "]";
    }
}
