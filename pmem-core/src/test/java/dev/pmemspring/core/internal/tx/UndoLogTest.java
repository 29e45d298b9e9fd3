package dev.pmemspring.core.internal.tx;

import dev.pmemspring.core.internal.memory.DyingMemory;
import org.junit.jupiter.api.Test;

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
        DyingMemory m = new DyingMemory(16384, 4096);
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

    @Test
    void aCrashAtAnyStepOfTheTransactionOrOfItsRollbackRollsBackToTheStart() {
        for (int crashAt = 0; crashAt < 40; crashAt++) {
            DyingMemory m = original();
            m.changesLeft = crashAt;
            try {
                changeUnderLog(m, new UndoLog(m, LOG, LOG_SIZE), NO_EXTENSION);
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
