package dev.pmemspring.core.internal.tx;

import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.core.Transaction;
import dev.pmemspring.core.TransactionAbortedException;
import dev.pmemspring.core.TransactionLockTimeoutException;
import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.heap.Block;
import dev.pmemspring.core.internal.memory.FailStop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A running transaction. Snapshots go to the lane's undo log before the range may change;
 * allocations and frees log how to undo their change of the allocator's state word, and make it
 * (a chunk header at once, a run's bit at commit) only once that entry is durable, while the
 * volatile allocator keeps the space reserved until the end. The commit point is the undo log's
 * generation bump: one 8-byte store.
 */
final class ActiveTransaction implements Transaction {

    private static final VarHandle BIT_COUNT;
    private static final VarHandle BITS;

    static {
        try {
            BIT_COUNT = MethodHandles.lookup().findVarHandle(ActiveTransaction.class, "bitCount", int.class);
            BITS = MethodHandles.lookup().findVarHandle(ActiveTransaction.class, "bits", BitChange[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private enum State {
        ACTIVE,
        COMMITTED,
        ABORTED
    }

    private final TransactionEngine engine;
    final int lane;
    private final UndoLog undo;
    private final Thread owner = Thread.currentThread();
    private final BitSet locked = new BitSet();
    /** Snapshotted ranges, merged: start -> end. Written by the user, flushed at commit. */
    private final TreeMap<Long, Long> snapshots = new TreeMap<>();
    /** Blocks allocated here: start -> end. Need no snapshot; flushed at commit. */
    private final TreeMap<Long, Long> fresh = new TreeMap<>();

    private final List<Block> allocations = new ArrayList<>();
    /**
     * Run bits to change at commit, in order: the first {@link #bitCount} of {@link #bits}. Only the
     * owner writes them; the count is published with release after the entry (and a grown array),
     * so a check on another thread reads a whole prefix without a lock on this path.
     */
    @SuppressWarnings("unused") // through BITS, but for the owner's plain reads
    private BitChange[] bits = new BitChange[8];

    @SuppressWarnings("unused") // through BIT_COUNT, but for the owner's plain reads
    private int bitCount;

    private final List<Block> frees = new ArrayList<>();
    /** Blocks allocated and freed here: free again whatever the outcome. */
    private final List<Block> freedFresh = new ArrayList<>();

    private final Set<Long> freed = new HashSet<>();
    private List<Runnable> onCommit;
    private List<Runnable> onAbort;
    private int depth = 1;
    private State state = State.ACTIVE;
    private Throwable abortCause;

    ActiveTransaction(TransactionEngine engine, int lane, UndoLog undo) {
        this.engine = engine;
        this.lane = lane;
        this.undo = undo;
    }

    void join() {
        checkUsable();
        depth++;
    }

    // ---------------------------------------------------------------- changes

    @Override
    public void snapshot(long offset, long length) {
        checkUsable();
        if (length <= 0) {
            if (length == 0) {
                return;
            }
            throw new IllegalArgumentException("snapshot length must not be negative: " + length);
        }
        if (within(fresh, offset, length)) {
            return;
        }
        Heap.Extent block = blockOf(offset, length);
        if (within(snapshots, offset, length)) {
            return; // locked when first snapshotted
        }
        lockLive(block, offset, offset + length);
        undo.logSnapshot(offset, length, engine::extendLog);
        addRange(snapshots, offset, offset + length);
    }

    @Override
    public void lock(long offset) {
        checkUsable();
        Heap.Extent block = blockOf(offset, 1);
        lockLive(block, block.handle(), block.handle() + block.size());
    }

    @Override
    public void putLong(long offset, long value) {
        snapshot(offset, 8);
        engine.memory.putLong(offset, value);
    }

    @Override
    public void putInt(long offset, int value) {
        snapshot(offset, 4);
        engine.memory.putInt(offset, value);
    }

    @Override
    public void putByte(long offset, byte value) {
        snapshot(offset, 1);
        engine.memory.putByte(offset, value);
    }

    @Override
    public void putBytes(long offset, byte[] bytes) {
        snapshot(offset, bytes.length);
        engine.memory.putBytes(offset, bytes, 0, bytes.length);
    }

    @Override
    public long allocate(long size) {
        checkUsable();
        Block r;
        try {
            r = engine.heap.reserve(size);
        } catch (Heap.OutOfSpace e) {
            throw engine.outOfMemory.apply(size);
        }
        try {
            markAllocated(engine.heap.stateWord(r));
        } catch (RuntimeException | Error e) {
            engine.heap.cancel(r);
            throw e;
        }
        try {
            // Locked before it is published: a stale handle to the space, kept by another
            // transaction, then waits for this one to end instead of writing a block not yet committed.
            lockRange(new Heap.Extent(r.handle(), r.size()), r.handle(), r.handle() + r.size());
        } catch (RuntimeException | Error e) {
            engine.heap.cancel(r); // the rollback has already reset its state word
            throw e;
        }
        engine.heap.published(r); // visible to sizeOf and block() now; an abort cancels it
        allocations.add(r);
        addRange(fresh, r.handle(), r.handle() + r.size());
        return r.handle();
    }

    @Override
    public void free(long handle) {
        checkUsable();
        if (freed.contains(handle)) {
            throw new IllegalArgumentException("handle " + handle + " was already freed in this transaction");
        }
        Heap.Extent block = engine.heap.blockContaining(handle);
        if (block != null && block.handle() == handle) {
            lockLive(block, block.handle(), block.handle() + block.size()); // else beginTxFree says what is wrong
        }
        Block own = allocations.stream()
                .filter(r -> r.handle() == handle)
                .findFirst()
                .orElse(null);
        if (own != null) {
            freeFresh(own);
            return;
        }
        Block release = engine.heap.beginTxFree(handle);
        try {
            markFree(engine.heap.stateWord(release));
        } catch (RuntimeException | Error e) {
            engine.heap.freeAbandoned(release);
            throw e;
        }
        frees.add(release);
        freed.add(handle);
    }

    /** Frees a block allocated in this transaction: its state word goes back to free, logged. */
    private void freeFresh(Block r) {
        markFree(engine.heap.stateWord(r));
        allocations.remove(r);
        freedFresh.add(r);
        freed.add(r.handle());
    }

    /**
     * Marks a block allocated on media, after logging how to mark it free again. A run's bit
     * changes at commit (its undo entry then rides on the next flush of the log); a chunk header
     * at once, since the heap's neighbours read chunk headers.
     */
    private void markAllocated(Block.StateWord w) {
        if (w.bitmap()) {
            undo.logRollbackLater(UndoLog.ROLLBACK_AND, w.offset(), ~w.mask(), engine::extendLog);
            changeAtCommit(new BitChange(w.offset(), w.mask(), true));
        } else {
            // Logged first: a crash after the state word changed finds how to change it back.
            undo.logRollback(UndoLog.ROLLBACK_SET, w.offset(), w.freeHeader(), engine::extendLog);
            engine.memory.putLongAtomic(w.offset(), w.usedHeader());
            engine.memory.flush(w.offset(), 8);
        }
    }

    /** Marks a block free on media, after logging how to mark it allocated again; as {@link #markAllocated}. */
    private void markFree(Block.StateWord w) {
        if (w.bitmap()) {
            undo.logRollbackLater(UndoLog.ROLLBACK_OR, w.offset(), w.mask(), engine::extendLog);
            changeAtCommit(new BitChange(w.offset(), w.mask(), false));
        } else {
            undo.logRollback(UndoLog.ROLLBACK_SET, w.offset(), w.usedHeader(), engine::extendLog);
            engine.memory.putLongAtomic(w.offset(), w.freeHeader());
            engine.memory.flush(w.offset(), 8);
        }
    }

    /** A run bitmap bit this transaction sets (allocates) or clears (frees) at commit. */
    private record BitChange(long word, long mask, boolean set) {}

    private void changeAtCommit(BitChange change) {
        int n = bitCount;
        if (n == bits.length) {
            BITS.setRelease(this, Arrays.copyOf(bits, 2 * n)); // a reader that sees the copy sees its elements
        }
        bits[n] = change;
        BIT_COUNT.setRelease(this, n + 1); // after the entry and the array: see bits
    }

    /** Adds the run bits this transaction changes at commit to {@code into} (word offset to mask); any thread. */
    void addRunBitsInFlight(Map<Long, Long> into) {
        int n = (int) BIT_COUNT.getAcquire(this);
        BitChange[] seen = (BitChange[]) BITS.getAcquire(this); // this array or a later copy: both hold the first n
        for (int i = 0; i < n; i++) {
            into.merge(seen[i].word(), seen[i].mask(), (x, y) -> x | y);
        }
    }

    /**
     * Makes the run bits of this transaction's allocations and frees, in the order they were made
     * (a block allocated and freed here ends clear). Their undo entries are durable first, so a
     * crash from here to the commit point finds how to put each bit back.
     */
    private void changeBits() {
        int n = bitCount;
        if (n == 0) {
            return;
        }
        undo.persistPending();
        for (int i = 0; i < n; i++) {
            BitChange b = bits[i];
            if (b.set()) {
                engine.memory.getAndBitwiseOr(b.word(), b.mask());
            } else {
                engine.memory.getAndBitwiseAnd(b.word(), ~b.mask());
            }
        }
        // One flush per word: a transaction's units often share bitmap words.
        long[] words = new long[n];
        for (int i = 0; i < n; i++) {
            words[i] = bits[i].word();
        }
        Arrays.sort(words);
        for (int i = 0; i < words.length; i++) {
            if (i == 0 || words[i] != words[i - 1]) {
                engine.memory.flush(words[i], 8);
            }
        }
    }

    @Override
    public void onCommit(Runnable action) {
        checkUsable();
        (onCommit == null ? onCommit = new ArrayList<>() : onCommit).add(action);
    }

    @Override
    public void onAbort(Runnable action) {
        checkUsable();
        (onAbort == null ? onAbort = new ArrayList<>() : onAbort).add(action);
    }

    // ---------------------------------------------------------------- end

    @Override
    public void commit() {
        checkOwner();
        if (state == State.ABORTED) {
            throw new TransactionAbortedException(
                    "the transaction was rolled back" + (abortCause == null ? "" : " after: " + abortCause),
                    abortCause);
        }
        if (state == State.COMMITTED) {
            throw new IllegalStateException("the transaction has already committed");
        }
        if (--depth > 0) {
            return;
        }
        checkRunning(); // a commit now could be undone by recovery of the log that stopped the pool
        try {
            changeBits();
            flushRanges(snapshots);
            flushRanges(fresh);
            // The changes are durable before the commit point; the commit point is the only
            // store that decides between them and their undo.
            engine.memory.drain();
            if (undo.entries() > 0) {
                undo.invalidate();
            }
        } catch (RuntimeException | Error e) {
            abortWith(e);
            throw e;
        }
        state = State.COMMITTED;
        try {
            frees.forEach(engine.heap::freed);
            freedFresh.forEach(engine.heap::cancel);
        } finally {
            finish(); // whatever the volatile allocator did, the locks and the lane go back
        }
        engine.committed.increment();
        runAll(onCommit);
    }

    @Override
    public void abort() {
        checkOwner();
        if (state != State.ACTIVE) {
            return;
        }
        abortWith(null);
    }

    /** Rolls back; called for an explicit abort and for any failure inside the transaction. */
    void abortWith(Throwable cause) {
        if (state != State.ACTIVE) {
            return;
        }
        state = State.ABORTED;
        abortCause = cause;
        try {
            undo.rollback();
        } catch (RuntimeException | Error failure) {
            throw stopAfterFailedRollback(failure, cause);
        }
        try {
            // Persistent state is back to the start; the reserved space can be reused now.
            allocations.forEach(engine.heap::cancel);
            freedFresh.forEach(engine.heap::cancel);
            frees.forEach(engine.heap::freeAbandoned);
        } finally {
            finish();
            engine.aborted.increment();
        }
        runAll(onAbort);
    }

    /**
     * After a rollback that failed part-way: the log still holds how to undo this transaction,
     * and only recovery may apply it now. So the pool stops, the lane is retired (nothing appends
     * to its log or empties it), the locks stay held (no transaction changes a range recovery will
     * restore), and the reserved space stays reserved; the rollback actions run, as for any abort.
     */
    private PoolStoppedException stopAfterFailedRollback(Throwable failure, Throwable cause) {
        engine.retired(this);
        depth = 0;
        engine.aborted.increment();
        PoolStoppedException stopped = engine.failStop.stop("rolling back a transaction", failure);
        if (cause != null && cause != stopped) {
            stopped.addSuppressed(cause);
        }
        try {
            runAll(onAbort);
        } catch (RuntimeException e) {
            stopped.addSuppressed(e);
        }
        return stopped;
    }

    private void finish() {
        engine.locks.unlockAll(this, locked);
        engine.ended(this);
        depth = 0;
    }

    @Override
    public boolean isActive() {
        return state == State.ACTIVE;
    }

    // ---------------------------------------------------------------- helpers

    private Heap.Extent blockOf(long offset, long length) {
        Heap.Extent block = engine.heap.blockContaining(offset);
        if (block == null || !block.holds(offset, length)) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + " + " + length
                    + ") is not inside one allocated block; snapshot fields of blocks you allocated");
        }
        return block;
    }

    /** Locks {@code [start, end)} of {@code block}; a timeout or an interrupt rolls back. */
    private void lockRange(Heap.Extent block, long start, long end) {
        boolean got;
        try {
            got = engine.locks.lock(this, block.handle(), start, end, locked, engine.lockTimeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortWith(e);
            throw new TransactionAbortedException("interrupted while waiting for a lock", e);
        }
        if (!got) {
            checkRunning(); // a stopped pool: the holder may be a transaction whose rollback failed
            TransactionLockTimeoutException timeout = new TransactionLockTimeoutException("waited more than "
                    + engine.lockTimeoutNanos / 1_000_000 + " ms for bytes [" + start + ", " + end + ") of block "
                    + block.handle() + ", held by another transaction; this transaction was rolled back: retry"
                    + " it, keep transactions short, or lock what two transactions both write in one order");
            abortWith(timeout);
            throw timeout;
        }
    }

    /** {@link #lockRange}, then a check that the block was not freed while this transaction waited. */
    private void lockLive(Heap.Extent block, long start, long end) {
        lockRange(block, start, end);
        if (!block.equals(engine.heap.blockContaining(block.handle()))) {
            throw new IllegalArgumentException("block " + block.handle() + " was freed by another transaction"
                    + " while this one waited for it; read its handle again inside the transaction");
        }
    }

    private void flushRanges(TreeMap<Long, Long> ranges) {
        for (Map.Entry<Long, Long> r : ranges.entrySet()) {
            engine.memory.flush(r.getKey(), r.getValue() - r.getKey());
        }
    }

    private static boolean within(TreeMap<Long, Long> ranges, long offset, long length) {
        Map.Entry<Long, Long> e = ranges.floorEntry(offset);
        return e != null && e.getValue() >= offset + length;
    }

    private static void addRange(TreeMap<Long, Long> ranges, long start, long end) {
        Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        Map.Entry<Long, Long> next;
        while ((next = ranges.ceilingEntry(start)) != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(start, end);
    }

    private void checkUsable() {
        checkOwner();
        if (state == State.ABORTED) {
            throw new TransactionAbortedException(
                    "the transaction was rolled back" + (abortCause == null ? "" : " after: " + abortCause)
                            + "; begin a new one",
                    abortCause);
        }
        if (state == State.COMMITTED) {
            throw new IllegalStateException("the transaction has already committed");
        }
        checkRunning();
    }

    /** Rolls back and throws if the pool has stopped taking changes ({@link FailStop}). */
    private void checkRunning() {
        if (engine.failStop.stopped()) {
            PoolStoppedException stopped = engine.failStop.refusal();
            try {
                abortWith(stopped);
            } catch (RuntimeException e) { // an abort action, or the rollback itself, failed too
                if (e != stopped) {
                    stopped.addSuppressed(e);
                }
            }
            throw stopped;
        }
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(
                    "a transaction belongs to the thread that began it (" + owner.getName() + ")");
        }
    }

    private static void runAll(List<Runnable> actions) {
        if (actions == null) {
            return;
        }
        RuntimeException first = null;
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
