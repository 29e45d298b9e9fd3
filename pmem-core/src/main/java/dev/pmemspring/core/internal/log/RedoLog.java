package dev.pmemspring.core.internal.log;

import dev.pmemspring.core.internal.memory.PersistentMemory;

/**
 * A redo log in one lane: makes a {@link RedoBatch} of word changes atomic across crashes.
 *
 * <pre>
 *   +0   entry count (0 = empty)
 *   +8   checksum of count and entries
 *   +16  entries: (target offset | op, value), 16 bytes each
 * </pre>
 *
 * <p>Protocol (as PMDK's ulog): write entries, count and checksum; persist; from then on the
 * operation has happened, whatever follows. Apply each entry, persist the targets, then clear the
 * count and persist that. A log whose checksum does not match was cut before its persist point
 * and is ignored: nothing of it had been applied yet.
 */
public final class RedoLog {

    private static final int HEADER = 16;
    private static final int ENTRY = 16;

    private final PersistentMemory memory;
    private final long offset;
    private final int capacity;

    public RedoLog(PersistentMemory memory, long offset, int bytes) {
        this.memory = memory;
        this.offset = offset;
        this.capacity = (bytes - HEADER) / ENTRY;
    }

    public int capacity() {
        return capacity;
    }

    /** Throws if {@code batch} has more entries than a lane's log holds (every lane's log is as large). */
    public void requireRoom(RedoBatch batch) {
        if (batch.size() > capacity) {
            throw new IllegalStateException(
                    "redo batch of " + batch.size() + " entries exceeds the lane's " + capacity);
        }
    }

    /** Makes every change of {@code batch} durable, all or none. */
    public void commit(RedoBatch batch) {
        requireRoom(batch);
        int n = batch.size();
        // What the caller flushed before (a block's contents, a split's new header) is durable
        // before any word of the log: a log that reaches the media early must never publish it lost.
        memory.drain();
        long sum = seed(n);
        for (int i = 0; i < n; i++) {
            long target = batch.encodedTarget(i);
            long value = batch.value(i);
            long at = offset + HEADER + (long) i * ENTRY;
            memory.putLong(at, target);
            memory.putLong(at + 8, value);
            sum = mix(mix(sum, target), value);
        }
        memory.putLong(offset + 8, sum);
        memory.putLong(offset, n);
        // Persist point: count, checksum and entries reach the media before any target changes.
        memory.persist(offset, HEADER + (long) n * ENTRY);
        apply(batch);
        // Targets are durable before the log is dropped, so a crash never loses both.
        memory.drain();
        clear();
    }

    /**
     * Replays a complete log left by a crash and clears it; clears a torn one. Idempotent: a crash
     * in here leaves the log to be replayed again.
     *
     * @return the number of entries replayed (0 if the log was empty or torn)
     */
    public int recover() {
        long n = memory.getLong(offset);
        if (n == 0) {
            return 0;
        }
        RedoBatch batch = readValid(n);
        if (batch != null) {
            apply(batch);
            memory.drain();
        }
        clear();
        return batch == null ? 0 : batch.size();
    }

    /** The complete log as a batch, or {@code null} if it is empty or torn (for check tools). */
    public RedoBatch pending() {
        long n = memory.getLong(offset);
        return n == 0 ? null : readValid(n);
    }

    private RedoBatch readValid(long n) {
        if (n < 0 || n > capacity) {
            return null;
        }
        RedoBatch batch = new RedoBatch();
        long sum = seed((int) n);
        for (int i = 0; i < n; i++) {
            long at = offset + HEADER + (long) i * ENTRY;
            long target = memory.getLong(at);
            long value = memory.getLong(at + 8);
            sum = mix(mix(sum, target), value);
            RedoOp op = RedoBatch.opOf(target);
            long where = RedoBatch.offsetOf(target);
            if (op == null || where < 0 || where + 8 > memory.size()) {
                return null;
            }
            switch (op) {
                case SET -> batch.set(where, value);
                case OR -> batch.or(where, value);
                case AND -> batch.and(where, value);
                default -> throw new IllegalStateException("redo op " + op + " has no replay");
            }
        }
        return sum == memory.getLong(offset + 8) ? batch : null;
    }

    private void apply(RedoBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            applyOne(memory, batch.encodedTarget(i), batch.value(i));
        }
    }

    /** Applies one entry and flushes its word. */
    static void applyOne(PersistentMemory memory, long encodedTarget, long value) {
        long where = RedoBatch.offsetOf(encodedTarget);
        RedoOp op = RedoBatch.opOf(encodedTarget);
        // Null is tested apart: a `case null` would make this a pattern switch, linked through
        // SwitchBootstraps on first use, which cost a fresh JVM's first allocation several ms.
        if (op == null) {
            throw new IllegalStateException("bad redo op at " + where);
        }
        switch (op) {
            case SET -> memory.putLongAtomic(where, value);
            case OR -> memory.getAndBitwiseOr(where, value);
            case AND -> memory.getAndBitwiseAnd(where, value);
            default -> throw new IllegalStateException("redo op " + op + " has no replay");
        }
        memory.flush(where, 8);
    }

    private void clear() {
        // Count and checksum both go: with the old checksum left, a later batch of the same size
        // whose count reached the media but whose checksum did not would validate the old entries.
        memory.putLongAtomic(offset, 0);
        memory.putLongAtomic(offset + 8, 0);
        // The clear is durable before the lane is reused: a stale log replayed after later
        // operations on the same words would undo them.
        memory.persist(offset, 16);
    }

    private static long seed(int n) {
        return mix(0x6A09E667F3BCC908L, n);
    }

    private static long mix(long h, long w) {
        h = (h ^ w) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }
}
