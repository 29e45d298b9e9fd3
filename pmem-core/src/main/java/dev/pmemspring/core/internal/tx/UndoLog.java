package dev.pmemspring.core.internal.tx;

import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One lane's undo log: what to put back if the transaction holding the lane does not commit.
 *
 * <pre>
 *   area +0   generation
 *   area +8   segment 0: next segment handle (0 = none), then entries to the end of the area
 *   segment n (a heap block of {@value #EXTENSION_SIZE} bytes): next handle, then entries
 *
 *   entry: target offset | kind (high 8 bits) and length | payload words | checksum
 * </pre>
 *
 * <p>A snapshot's checksum mixes its two header words with the CRC32C of its payload
 * ({@link #SNAPSHOT_CRC}): the word-by-word mix of the other kinds is one serial chain of
 * multiplications, which made large snapshots slow, while CRC32C runs on the CPU's own
 * instruction. Snapshots written before that ({@link #SNAPSHOT}) are still read and rolled back.
 * Where stores persist in program order ({@link PersistentMemory#persistsInOrder}: durability
 * {@code process}), a snapshot is written as {@link #SNAPSHOT_ORDERED} instead: its payload is
 * fenced before its checksum, which then covers the two header words alone, so a checksum that
 * verifies is one written after the whole payload. That saves reading the payload back for its
 * CRC: one-thread cache puts, which overwrite their entries in place through a snapshot, ran 2-25 %
 * faster within each of nine rounds (docs/benchmarks.md). An OS crash or a power loss, which {@code process} does not
 * protect against, may leave such a payload torn and its checksum whole: where the pool's
 * shutdown mark shows the crash it opens only when told to accept it, and then starts every log
 * on a new generation; a map entry restored torn fails its own checksum either way, when read or
 * in the salvage.
 *
 * <p>An entry is durable before the word it protects changes. Most are persisted as they are
 * written; the undo of a run bit a transaction changes at commit is appended without a flush and
 * made durable with the next entry persisted, before a move to another segment, or by
 * {@link #persistPending} (which the commit and a rollback call first).
 *
 * <p>Every entry's checksum covers the log's generation, so bumping the generation (one 8-byte
 * store) empties the log without zeroing it: that store is a transaction's commit point. Entries
 * never straddle segments; a writer moves to the next segment only when fewer than
 * {@value #MIN_ENTRY} bytes are left, and a reader reads until the first entry whose checksum
 * fails. Rolling back applies entries newest first; every kind is idempotent, so a crash during
 * rollback is rolled back again.
 */
final class UndoLog {

    static final int EXTENSION_SIZE = 64 * 1024;
    static final int MIN_ENTRY = 32;

    /** Restores bytes copied before the transaction changed them (checksum: the word mix; read only). */
    static final int SNAPSHOT = 1;
    /** On rollback, AND the word with the payload (undoes an allocation's bitmap bit). */
    static final int ROLLBACK_AND = 2;
    /** On rollback, OR the word with the payload (undoes a free's bitmap bit). */
    static final int ROLLBACK_OR = 3;
    /** On rollback, store the payload (restores a chunk header). */
    static final int ROLLBACK_SET = 4;
    /** As {@link #SNAPSHOT}, with the payload under a CRC32C (what is written now). */
    static final int SNAPSHOT_CRC = 5;
    /**
     * As {@link #SNAPSHOT_CRC}, the checksum over the header words alone: the payload was fenced
     * before it, which makes it whole only where stores persist in order (a {@code kill -9}).
     */
    static final int SNAPSHOT_ORDERED = 6;
    /** Bytes of payload checksummed at a time, through {@link #chunk}. */
    private static final int CHUNK = 4096;

    /** Allocates and publishes the next segment into {@code nextField}; returns its handle. */
    interface Extender {
        long extend(long nextField, long size);
    }

    private record Segment(long nextField, long start, long end) {}

    private final PersistentMemory memory;
    private final long area;
    private final List<Segment> segments = new ArrayList<>();
    private int current;
    private long position;
    private long generation;
    private int entries;
    /** Where entries appended but not yet persisted begin in the current segment, or -1. */
    private long pendingFrom = -1;

    private final CRC32C crc = new CRC32C();
    /** Staging for a snapshot's logged bytes while their CRC is computed; made on first use. */
    private byte[] chunk;

    UndoLog(PersistentMemory memory, long area, int areaSize) {
        this.memory = memory;
        this.area = area;
        segments.add(new Segment(area + 8, area + 16, area + areaSize));
        long next = memory.getLong(area + 8);
        // A damaged link ends the chain instead of leading reads outside the pool or round a loop.
        while (next > 0
                && (next & 7) == 0
                && next + EXTENSION_SIZE <= memory.size()
                && segments.size() <= memory.size() / EXTENSION_SIZE) {
            segments.add(new Segment(next, next + 8, next + EXTENSION_SIZE));
            next = memory.getLong(next);
        }
        generation = memory.getLong(area);
        rewind();
    }

    private void rewind() {
        pendingFrom = -1;
        current = 0;
        position = segments.getFirst().start();
        entries = 0;
    }

    int entries() {
        return entries;
    }

    /** Logs the current bytes of {@code [offset, offset + length)}; durable when this returns. */
    void logSnapshot(long offset, long length, Extender extender) {
        int kind = memory.persistsInOrder() ? SNAPSHOT_ORDERED : SNAPSHOT_CRC;
        while (length > 0) {
            long room = roomFor(MIN_ENTRY, extender) - 24;
            long piece = Math.min(length, room & ~7L);
            long words = (piece + 7) >>> 3;
            long at = position;
            long header = ((long) kind << 56) | piece;
            memory.putLong(at, offset);
            memory.putLong(at + 8, header);
            memory.putLong(at + 16 + 8 * (words - 1), 0); // defined padding in the last word
            memory.copy(offset, at + 16, piece);
            if (kind == SNAPSHOT_ORDERED) {
                // Order: the payload before the checksum that vouches for it without covering it.
                memory.drain();
            }
            // The checksum a reader will compute, from the bytes as logged.
            memory.putLong(at + 16 + 8 * words, checksum(kind, at, offset, header, piece, words));
            persistEntry(at, 3 + words);
            offset += piece;
            length -= piece;
        }
    }

    /** Logs a word change to make on rollback; durable when this returns. */
    void logRollback(int kind, long offset, long value, Extender extender) {
        long at = appendRollback(kind, offset, value, extender);
        persistEntry(at, 4);
    }

    /**
     * Logs a word change to make on rollback without persisting it yet: it becomes durable with
     * the next entry persisted, or at {@link #persistPending}. The caller changes the word only
     * after one of those.
     */
    void logRollbackLater(int kind, long offset, long value, Extender extender) {
        long at = appendRollback(kind, offset, value, extender);
        if (pendingFrom < 0) {
            pendingFrom = at;
        }
        position = at + 32;
        entries++;
    }

    /** Makes every entry appended by {@link #logRollbackLater} durable. */
    void persistPending() {
        if (pendingFrom >= 0) {
            memory.persist(pendingFrom, position - pendingFrom);
            pendingFrom = -1;
        }
    }

    private long appendRollback(int kind, long offset, long value, Extender extender) {
        roomFor(MIN_ENTRY, extender);
        long at = position;
        memory.putLong(at, offset);
        memory.putLong(at + 8, ((long) kind << 56) | 8);
        memory.putLong(at + 16, value);
        memory.putLong(at + 24, wordMix(at, 3));
        return at;
    }

    /**
     * Persists the entry of {@code words} words (checksum included) at {@code at}, with the
     * entries pending before it in the same segment, in one flush, and moves past it.
     */
    private void persistEntry(long at, long words) {
        long bytes = 8 * words;
        long from = pendingFrom >= 0 ? pendingFrom : at;
        // The entry is durable before the caller changes what it protects.
        memory.persist(from, at + bytes - from);
        pendingFrom = -1;
        position = at + bytes;
        entries++;
    }

    private byte[] chunk() {
        if (chunk == null) {
            chunk = new byte[CHUNK];
        }
        return chunk;
    }

    /** Moves to a segment with at least {@code needed} bytes left; returns the bytes left there. */
    private long roomFor(long needed, Extender extender) {
        while (segments.get(current).end() - position < needed) {
            // Pending entries are made durable in their own segment: one flush covers one segment.
            persistPending();
            if (current + 1 == segments.size()) {
                Segment last = segments.get(current);
                long handle = extender.extend(last.nextField(), EXTENSION_SIZE);
                segments.add(new Segment(handle, handle + 8, handle + EXTENSION_SIZE));
            }
            current++;
            position = segments.get(current).start();
        }
        return segments.get(current).end() - position;
    }

    /** Empties the log: the commit point of a transaction, or the end of a rollback. */
    void invalidate() {
        generation++;
        memory.putLongAtomic(area, generation);
        memory.persist(area, 8);
        rewind();
    }

    /**
     * Rolls back every valid entry, newest first, persists the result and empties the log.
     *
     * @return the number of entries rolled back
     */
    int rollback() {
        // Entries are applied only once durable: an allocation and free of one unit, both pending,
        // would set its bit on the way back, and a crash then must find how to clear it again.
        persistPending();
        List<long[]> valid = readValid();
        for (int i = valid.size() - 1; i >= 0; i--) {
            long[] e = valid.get(i); // target, kind, length, payload offset
            long target = e[0];
            switch ((int) e[1]) {
                case SNAPSHOT, SNAPSHOT_CRC, SNAPSHOT_ORDERED -> memory.copy(e[3], target, e[2]);
                case ROLLBACK_AND -> memory.getAndBitwiseAnd(target, memory.getLong(e[3]));
                case ROLLBACK_OR -> memory.getAndBitwiseOr(target, memory.getLong(e[3]));
                default -> memory.putLongAtomic(target, memory.getLong(e[3]));
            }
            memory.flush(target, e[2]);
        }
        if (!valid.isEmpty() || entries > 0) {
            // Everything restored is durable before the log that could restore it again is dropped.
            memory.drain();
            invalidate();
        }
        return valid.size();
    }

    /** The entries a crash would roll back, oldest first: {target, kind, length, payload offset}. */
    List<long[]> readValid() {
        List<long[]> valid = new ArrayList<>();
        for (Segment segment : segments) {
            long at = segment.start();
            while (segment.end() - at >= MIN_ENTRY) {
                long target = memory.getLong(at);
                long header = memory.getLong(at + 8);
                int kind = (int) (header >>> 56);
                long length = header & 0x00FFFFFFFFFFFFFFL;
                long words = (length + 7) >>> 3;
                boolean snapshot = kind == SNAPSHOT || kind == SNAPSHOT_CRC || kind == SNAPSHOT_ORDERED;
                if (kind < SNAPSHOT
                        || kind > SNAPSHOT_ORDERED
                        || length <= 0
                        || 8 * (3 + words) > segment.end() - at
                        || (!snapshot && length != 8)
                        || target < 0
                        || target + length > memory.size()) {
                    return valid;
                }
                if (checksum(kind, at, target, header, length, words) != memory.getLong(at + 8 * (2 + words))) {
                    return valid;
                }
                valid.add(new long[] {target, kind, length, at + 16});
                at += 8 * (3 + words);
            }
        }
        return valid;
    }

    /** The checksum an entry of {@code kind} at {@code at} must carry after its payload. */
    private long checksum(int kind, long at, long target, long header, long length, long words) {
        if (kind == SNAPSHOT_ORDERED) {
            return mix(mix(seed(), target), header);
        }
        if (kind == SNAPSHOT_CRC) {
            // Through the staging array, so the CRC runs over a Java array (hardware CRC32C), not
            // over the mapping, which would take the pool's shared memory session.
            crc.reset();
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(CHUNK, length - done);
                byte[] bytes = chunk();
                memory.getBytes(at + 16 + done, bytes, 0, n);
                crc.update(bytes, 0, n);
                done += n;
            }
            return mix(mix(mix(seed(), target), header), crc.getValue());
        }
        return wordMix(at, 2 + words);
    }

    /** The checksum of the other kinds: every one of the {@code words} words at {@code at}, mixed in turn. */
    private long wordMix(long at, long words) {
        long sum = seed();
        for (long i = 0; i < words; i++) {
            sum = mix(sum, memory.getLong(at + 8 * i));
        }
        return sum;
    }

    private long seed() {
        return mix(0xBB67AE8584CAA73BL, generation);
    }

    private static long mix(long h, long w) {
        h = (h ^ w) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }
}
