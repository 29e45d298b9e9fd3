package dev.pmemspring.core.internal.tx;

import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.DyingMemory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recovery after a machine crash that durability {@code process} did not promise to survive: a
 * torn first entry may hide later entries of the same generation, which a {@code kill -9} never
 * leaves behind; an ordered snapshot's checksum covers no payload, so such an entry must not vouch
 * for one written over it after the open.
 */
class UnsafeShutdownRecoveryTest {

    private static final long DATA = 2L * 1024 * 1024;
    private static final UndoLog.Extender NO_EXTENSION = (field, size) -> {
        throw new AssertionError("no extension expected");
    };

    @Test
    void recoveryAfterAnUnsafeShutdownStartsEveryLogOnANewGeneration() {
        assertThat(validAfterALaterCut(true)).as("the stale entry is not valid").isEqualTo(1);
        // Without the new generation the stale checksum vouches for a half-written payload:
        assertThat(validAfterALaterCut(false)).isEqualTo(2);
    }

    /**
     * Lane 0 logs two snapshots, and its first entry is torn as a power loss may leave it;
     * recovery runs; the same two ranges are logged again and the second is cut in its payload's
     * copy, as a {@code kill -9} would. Returns the entries the next recovery would roll back.
     */
    private static int validAfterALaterCut(boolean afterUnsafeShutdown) {
        PoolLayout layout = PoolLayout.of(PoolLayout.MIN_POOL_SIZE, 2);
        DyingMemory m = new DyingMemory(PoolLayout.MIN_POOL_SIZE, 0);
        m.inOrder = true;
        long area = layout.undoOffset(0);
        UndoLog log = new UndoLog(m, area, PoolLayout.UNDO_SIZE);
        log.logSnapshot(DATA, 64, NO_EXTENSION);
        log.logSnapshot(DATA + 4096, 64, NO_EXTENSION);
        m.putLong(area + 16, ~m.getLong(area + 16)); // the first entry's target word lost

        TransactionEngine.recover(m, layout, afterUnsafeShutdown);

        UndoLog next = new UndoLog(m, area, PoolLayout.UNDO_SIZE);
        next.logSnapshot(DATA, 64, NO_EXTENSION);
        m.fill(DATA + 4096, 64, (byte) 0x5A); // what the second range holds now
        m.changesLeft = 3; // target, header and padding: then the copy dies half-way
        boolean died = false;
        try {
            next.logSnapshot(DATA + 4096, 64, NO_EXTENSION);
        } catch (IllegalStateException crash) {
            died = true;
        }
        assertThat(died).isTrue();
        m.changesLeft = Integer.MAX_VALUE;
        return new UndoLog(m, area, PoolLayout.UNDO_SIZE).readValid().size();
    }
}
