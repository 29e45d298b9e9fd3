package dev.pmemspring.core.internal.tx;

import dev.pmemspring.core.internal.memory.DyingMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class UndoLogTest {

    private static final long LOG = 0;
    private static final int LOG_SIZE = 1024;
    private static final long DATA = 8192;
    private static final long BITS = 12288;
    private static final long HEADER = 12296;

    /** A transaction's effects: two snapshotted ranges changed, a bit set and one cleared, a header set. */
    private static void changeUnderLog(DyingMemory m, UndoLog log, UndoLog.Extender ext) {
        log.logSnapshot(DATA, 100, ext);
        m.fill(DATA, 100, (byte) 0x77);
        log.logSnapshot(DATA + 500, 3, ext);
        m.fill(DATA + 500, 3, (byte) 0x66);
        log.logRollback(UndoLog.ROLLBACK_AND, BITS, ~0b10L, ext);
        m.getAndBitwiseOr(BITS, 0b10);
        log.logRollback(UndoLog.ROLLBACK_OR, BITS, 0b1, ext);
        m.getAndBitwiseAnd(BITS, ~0b1L);
        log.logRollback(UndoLog.ROLLBACK_SET, HEADER, 1234, ext);
        m.putLongAtomic(HEADER, 5678);
    }

    private static DyingMemory original() {
        return original(4096);
    }

    /** The original contents, on a memory that counts the changes from {@code guardFrom} up (0: the log's too). */
    private static DyingMemory original(long guardFrom) {
        DyingMemory m = new DyingMemory(16384, guardFrom);
        for (int i = 0; i < 600; i++) {
            m.putByte(DATA + i, (byte) i);
        }
        m.putLong(BITS, 0b1);
        m.putLong(HEADER, 1234);
        return m;
    }

    private static void assertOriginal(DyingMemory m) {
        for (int i = 0; i < 600; i++) {
            assertThat(m.getByte(DATA + i)).as("byte %d", i).isEqualTo((byte) i);
        }
        assertThat(m.getLong(BITS)).isEqualTo(0b1);
        assertThat(m.getLong(HEADER)).isEqualTo(1234);
    }

    private static final UndoLog.Extender NO_EXTENSION = (field, size) -> {
        throw new AssertionError("no extension expected");
    };

    @Test
    void rollbackRestoresEverythingAndCommitKeepsEverything() {
        DyingMemory m = original();
        UndoLog log = new UndoLog(m, LOG, LOG_SIZE);
        changeUnderLog(m, log, NO_EXTENSION);
        assertThat(log.entries()).isEqualTo(5);
        assertThat(log.rollback()).isEqualTo(5);
        assertOriginal(m);
        assertThat(new UndoLog(m, LOG, LOG_SIZE).readValid()).isEmpty();

        changeUnderLog(m, log, NO_EXTENSION);
        log.invalidate(); // the commit point
        assertThat(new UndoLog(m, LOG, LOG_SIZE).rollback()).isZero();
        assertThat(m.getLong(HEADER)).isEqualTo(5678);
    }

    @ParameterizedTest(name = "stores persist in order: {0}")
    @ValueSource(booleans = {false, true})
    void aCrashAtAnyStepOfTheTransactionOrOfItsRollbackRollsBackToTheStart(boolean inOrder) {
        // Every store counts, the log's own included, until the transaction runs to its end.
        boolean died = true;
        for (int crashAt = 0; died; crashAt++) {
            DyingMemory m = original(0);
            m.inOrder = inOrder;
            m.changesLeft = crashAt;
            try {
                changeUnderLog(m, new UndoLog(m, LOG, LOG_SIZE), NO_EXTENSION);
                died = false;
            } catch (IllegalStateException crash) {
                // the process died here
            }
            for (int recoveryCrash = 0; recoveryCrash < 3; recoveryCrash++) {
                m.changesLeft = recoveryCrash; // and died again while recovering
                try {
                    new UndoLog(m, LOG, LOG_SIZE).rollback();
                } catch (IllegalStateException crash) {
                    // recovery is run again on the next open
                }
            }
            m.changesLeft = Integer.MAX_VALUE;
            new UndoLog(m, LOG, LOG_SIZE).rollback();
            assertOriginal(m);
        }
    }

    @Test
    void aFullSegmentContinuesInAnExtension() {
        DyingMemory big = new DyingMemory(256 * 1024, 4096);
        int[] extensions = {0};
        UndoLog.Extender ext = (field, size) -> {
            assertThat(size).isEqualTo(UndoLog.EXTENSION_SIZE);
            extensions[0]++;
            long at = 128 * 1024; // as if the heap gave this block
            big.putLong(field, at);
            big.putLong(at, 0);
            return at;
        };
        for (int i = 0; i < 1000; i++) {
            big.putByte(DATA + i, (byte) i);
        }
        big.putLong(HEADER, 1234);
        UndoLog log = new UndoLog(big, LOG, LOG_SIZE);
        log.logSnapshot(DATA, 1000, ext); // more than the first segment holds: split in two entries
        big.fill(DATA, 1000, (byte) 0);
        for (int i = 0; i < 40; i++) {
            log.logRollback(UndoLog.ROLLBACK_SET, HEADER, 1234, ext);
            big.putLong(HEADER, i);
        }
        assertThat(extensions[0]).isEqualTo(1);
        assertThat(new UndoLog(big, LOG, LOG_SIZE).readValid()).hasSize(42);
        new UndoLog(big, LOG, LOG_SIZE).rollback();
        for (int i = 0; i < 1000; i++) {
            assertThat(big.getByte(DATA + i)).isEqualTo((byte) i);
        }
        assertThat(big.getLong(HEADER)).isEqualTo(1234);
    }

    @Test
    void aSnapshotIsOrderedWhereStoresPersistInOrderAndCheckedByCrcElsewhere() {
        DyingMemory m = original();
        UndoLog log = new UndoLog(m, LOG, LOG_SIZE);
        log.logSnapshot(DATA, 100, NO_EXTENSION);
        assertThat(new UndoLog(m, LOG, LOG_SIZE).readValid().getFirst()[1]).isEqualTo(UndoLog.SNAPSHOT_CRC);

        DyingMemory ordered = original();
        ordered.inOrder = true;
        log = new UndoLog(ordered, LOG, LOG_SIZE);
        log.logSnapshot(DATA, 100, NO_EXTENSION);
        ordered.fill(DATA, 100, (byte) 0x77);
        assertThat(new UndoLog(ordered, LOG, LOG_SIZE).readValid().getFirst()[1])
                .isEqualTo(UndoLog.SNAPSHOT_ORDERED);
        assertThat(new UndoLog(ordered, LOG, LOG_SIZE).rollback()).isEqualTo(1);
        assertOriginal(ordered);
    }

    @Test
    void anOrderedSnapshotCutBeforeItsChecksumIsNotRolledBack() {
        // Every crash point while the entry is written, the payload's copy cut half-way included:
        // until the checksum's store, the entry is not valid, and nothing was changed under it.
        for (int crashAt = 0; crashAt < 6; crashAt++) {
            DyingMemory m = original(0);
            m.inOrder = true;
            m.changesLeft = crashAt;
            boolean died = false;
            try {
                new UndoLog(m, LOG, LOG_SIZE).logSnapshot(DATA, 100, NO_EXTENSION);
            } catch (IllegalStateException crash) {
                died = true;
            }
            assertThat(new UndoLog(m, LOG, LOG_SIZE).readValid())
                    .as("crash at change %d", crashAt)
                    .hasSize(died ? 0 : 1);
        }
    }

    @Test
    void anOrderedSnapshotOfAnEarlierGenerationIsNotRolledBack() {
        DyingMemory m = original(0);
        m.inOrder = true;
        UndoLog log = new UndoLog(m, LOG, LOG_SIZE);
        log.logSnapshot(DATA, 100, NO_EXTENSION);
        log.invalidate();
        // The same range snapshotted again in the next generation, as a second overwrite of one
        // entry is, cut in its payload's copy: the old checksum still stands after the payload,
        // over equal header words, and must not vouch for the half-written payload.
        m.fill(DATA, 100, (byte) 0x77); // what the first rewrite left
        m.changesLeft = 3; // target, header and padding: then the copy dies half-way
        boolean died = false;
        try {
            log.logSnapshot(DATA, 100, NO_EXTENSION);
        } catch (IllegalStateException crash) {
            died = true;
        }
        assertThat(died).isTrue();
        m.changesLeft = Integer.MAX_VALUE;
        assertThat(new UndoLog(m, LOG, LOG_SIZE).readValid()).isEmpty();
        new UndoLog(m, LOG, LOG_SIZE).rollback();
        for (int i = 0; i < 100; i++) {
            assertThat(m.getByte(DATA + i)).as("byte %d", i).isEqualTo((byte) 0x77);
        }
    }

    @Test
    void aSnapshotWhosePayloadIsTornIsNotRolledBack() {
        DyingMemory m = original();
        UndoLog log = new UndoLog(m, LOG, LOG_SIZE);
        log.logSnapshot(DATA, 100, NO_EXTENSION);
        // The first entry starts after the generation and the next-segment words: target, kind
        // and length, then the payload. One payload byte as if it never reached the media:
        m.putByte(LOG + 16 + 16 + 37, (byte) 0x5A);
        assertThat(new UndoLog(m, LOG, LOG_SIZE).readValid()).isEmpty();
    }

    @Test
    void snapshotsWrittenBeforeTheirPayloadHadACrcAreStillRolledBack() {
        // The entry format of earlier builds: kind 1, the checksum a mix of every word.
        DyingMemory m = original();
        long at = LOG + 16;
        long[] words = new long[2 + 13];
        words[0] = DATA;
        words[1] = (1L << 56) | 100;
        for (int i = 0; i < 100; i++) {
            words[2 + i / 8] |= (long) (i & 0xFF) << (8 * (i % 8)); // the bytes DATA holds, little-endian
        }
        long sum = oldMix(0xBB67AE8584CAA73BL, m.getLong(LOG));
        for (int i = 0; i < words.length; i++) {
            m.putLong(at + 8L * i, words[i]);
            sum = oldMix(sum, words[i]);
        }
        m.putLong(at + 8L * words.length, sum);
        m.fill(DATA, 100, (byte) 0x77);

        assertThat(new UndoLog(m, LOG, LOG_SIZE).rollback()).isEqualTo(1);
        assertOriginal(m);
    }

    private static long oldMix(long h, long w) {
        h = (h ^ w) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }

    @Test
    void entriesOfAnEarlierGenerationAreNotRolledBack() {
        DyingMemory m = original();
        UndoLog log = new UndoLog(m, LOG, LOG_SIZE);
        changeUnderLog(m, log, NO_EXTENSION);
        log.invalidate();
        log.logRollback(UndoLog.ROLLBACK_SET, HEADER, 42, NO_EXTENSION); // one entry of the next transaction
        assertThat(new UndoLog(m, LOG, LOG_SIZE).rollback()).isEqualTo(1);
        assertThat(m.getLong(HEADER)).isEqualTo(42);
        assertThat(m.getLong(BITS)).isEqualTo(0b10); // the committed change stays
    }
}
