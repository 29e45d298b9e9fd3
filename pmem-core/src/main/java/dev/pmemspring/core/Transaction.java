package dev.pmemspring.core;

/**
 * A pool transaction: every change made through it, or to ranges snapshotted in it, happens
 * entirely or not at all, across aborts, exceptions and crashes (undo logging, as libpmemobj).
 *
 * <pre>{@code
 * pool.transaction(tx -> {
 *     tx.snapshot(from.handle(), 8);                 // lock and log before reading what you write
 *     tx.snapshot(to.handle(), 8);
 *     long amount = 10;
 *     from.putLong(0, from.getLong(0) - amount);     // plain writes to snapshotted ranges
 *     tx.putLong(to.handle(), to.getLong(0) + amount); // or a setter that snapshots for you
 *     long receipt = tx.allocate(32);                // published at commit, gone on abort
 *     pool.block(receipt).putLong(0, amount);        // new blocks need no snapshot
 *     tx.putLong(log.fieldHandle(0), receipt);
 * });
 * }</pre>
 *
 * <p><b>Isolation.</b> A transaction locks each range it snapshots until it ends, so no two
 * transactions hold overlapping ranges, and a transaction that snapshots a range before reading it
 * reads only committed data there (two-phase locking: serializable for those ranges). Transactions
 * that snapshot different fields of one block do not wait for each other; {@link #lock} takes a
 * whole block, waiting for every range locked inside it, and {@link #free} does the same. Reads of
 * ranges a transaction has not locked are not isolated: they may see another transaction's
 * uncommitted writes, so a transaction that reads more of an object than it writes locks the
 * object first. A lock not obtained within the pool's lock timeout aborts the transaction with
 * {@link TransactionLockTimeoutException} instead of deadlocking: two transactions that lock the
 * same ranges in opposite orders, or each hold a field of one block and then lock or free the
 * whole of it, end that way, so lock what transactions share in one order, and a block you will
 * lock or free before any field of it.
 *
 * <p>A transaction belongs to the thread that began it. Beginning one while one is active on the
 * thread joins it (nesting flattens into the outermost); an abort at any depth aborts the whole.
 */
public interface Transaction {

    /**
     * Records the current contents of {@code [offset, offset + length)} (pool offsets, within one
     * allocated block) so an abort or crash restores them, and locks the range. Changes made to
     * the range afterwards, by any means, are made durable at commit.
     */
    void snapshot(long offset, long length);

    /**
     * Locks the whole block holding {@code offset} until the transaction ends, without logging it:
     * no other transaction snapshots, locks or frees any part of it meanwhile.
     */
    void lock(long offset);

    /** Snapshots 8 bytes at {@code offset} and stores {@code value} there. */
    void putLong(long offset, long value);

    /** Snapshots 4 bytes at {@code offset} and stores {@code value} there. */
    void putInt(long offset, int value);

    /** Snapshots 1 byte at {@code offset} and stores {@code value} there. */
    void putByte(long offset, byte value);

    /** Snapshots {@code bytes.length} bytes at {@code offset} and stores {@code bytes} there. */
    void putBytes(long offset, byte[] bytes);

    /**
     * Allocates a block that exists only if the transaction commits. Its contents are undefined;
     * write them freely (no snapshot needed): they are persisted at commit.
     */
    long allocate(long size);

    /**
     * Frees a block when, and only if, the transaction commits. Locks the whole block first, as
     * {@link #lock} does.
     */
    void free(long handle);

    /** Runs {@code action} after the transaction commits (outside it). */
    void onCommit(Runnable action);

    /** Runs {@code action} after the transaction is rolled back. */
    void onAbort(Runnable action);

    /** Commits (the outermost level) or leaves a nested level. */
    void commit();

    /** Rolls the whole transaction back, at whatever nesting depth. */
    void abort();

    /** Whether the transaction can still be used: begun, not yet committed or aborted. */
    boolean isActive();
}
