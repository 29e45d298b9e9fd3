package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.internal.file.PoolLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulator finds broken persist protocols: each test drops one flush or fence of a commit
 * path (chosen by the flushed range, computed from {@link PoolLayout}, and its order) and requires
 * the simulator to fail with a message that names the seed, the crash point and the damage. The
 * same scenarios pass without the fault.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FaultInjectionCrashSimTest {

    private static final PoolLayout LAYOUT = PoolLayout.of(PoolLayout.MIN_POOL_SIZE, PoolLayout.DEFAULT_LANES);

    @TempDir
    Path dir;

    private static CrashSimulator<Long> allocateInto() {
        return CrashSimulator.scenario("allocateInto 64 B")
                .setup(RootSlots::create)
                .operation((pool, root, steps) -> pool.allocateInto(RootSlots.slot(root, 0), 64, null))
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(2));
    }

    record Bank(long root, long a, long b) {}

    private static CrashSimulator<Bank> transfer() {
        return CrashSimulator.scenario("transfer 30 from a to b")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    pool.allocateInto(RootSlots.slot(root, 0), 64, blk -> blk.putLong(0, 100));
                    pool.allocateInto(RootSlots.slot(root, 1), 64, blk -> blk.putLong(0, 50));
                    MemoryBlock r = pool.block(root);
                    return new Bank(root, r.getLong(0), r.getLong(8));
                })
                .operation((pool, bank, steps) -> pool.transaction(tx -> {
                    tx.putLong(bank.a(), pool.block(bank.a()).getLong(0) - 30);
                    tx.putLong(bank.b(), pool.block(bank.b()).getLong(0) + 30);
                }))
                .observe((pool, bank) -> List.of(
                        pool.block(bank.a()).getLong(0), pool.block(bank.b()).getLong(0)))
                .reachable((pool, bank) -> List.of(bank.a(), bank.b()))
                .explore(Exploration.exhaustive(2));
    }

    private static void assertUsefulMessage(CrashConsistencyError error) {
        assertThat(error.getMessage())
                .contains("crash-consistency failure in scenario")
                .contains("seed " + error.seed())
                .contains("crash point " + error.point())
                .contains("replay: -Dpmem.crashsim.seed=" + error.seed() + " -Dpmem.crashsim.point=" + error.point())
                .contains("image: ");
    }

    @Test
    void findsAMissingFenceAfterTheRedoLogIsWritten() {
        allocateInto().run(dir); // the control: the real protocol passes
        FaultyMemory[] fault = new FaultyMemory[1];
        // RedoLog.commit persists its entries (a flush of 16 + 16 n bytes in lane 0's redo log, longer
        // than the clear's) and then applies them; without the drain, a target can reach the media
        // before its log.
        var rule = new FaultyMemory.Rule(
                "the drain after lane 0's redo entries are flushed",
                LAYOUT.laneOffset(0),
                LAYOUT.laneOffset(0) + PoolLayout.REDO_SIZE,
                32,
                1,
                FaultyMemory.Action.DROP_NEXT_DRAIN);
        assertThatThrownBy(() ->
                        allocateInto().fault(FaultyMemory.dropping(rule, fault)).run(dir))
                .isInstanceOfSatisfying(CrashConsistencyError.class, error -> {
                    assertUsefulMessage(error);
                    // An applied target (the bitmap bit, or the slot) reached the media, its log did not:
                    // a leaked block, or a slot pointing to free space.
                    assertThat(error.getMessage())
                            .containsAnyOf("leaked blocks", ":FREE", "is not allocated")
                            .contains("RedoLog.applyOne");
                });
        assertThat(fault[0].fired()).isTrue();
    }

    @Test
    void findsAnUndoEntryThatIsNotPersistedBeforeTheChange() {
        transfer().run(dir);
        FaultyMemory[] fault = new FaultyMemory[1];
        // UndoLog.seal persists each entry (at least 32 bytes in lane 0's undo log) before the
        // caller changes the range; drop the first one's flush.
        var rule = new FaultyMemory.Rule(
                "the flush of the first undo entry in UndoLog.seal",
                LAYOUT.undoOffset(0),
                LAYOUT.undoOffset(0) + PoolLayout.UNDO_SIZE,
                32,
                1,
                FaultyMemory.Action.DROP_FLUSH);
        assertThatThrownBy(() ->
                        transfer().fault(FaultyMemory.dropping(rule, fault)).run(dir))
                .isInstanceOfSatisfying(CrashConsistencyError.class, error -> {
                    assertUsefulMessage(error);
                    assertThat(error.getMessage())
                            .contains("neither the state before nor the state after")
                            .contains("lane 0 undo");
                });
        assertThat(fault[0].fired()).isTrue();
    }

    @Test
    void findsACommitThatDoesNotWaitForTheData() {
        FaultyMemory[] fault = new FaultyMemory[1];
        // ActiveTransaction.commit flushes the two snapshotted accounts (the recording's first two
        // flushes in the heap), drains, then bumps the undo log's generation; drop that drain.
        var rule = new FaultyMemory.Rule(
                "the drain before the generation bump in ActiveTransaction.commit",
                LAYOUT.chunkDataOffset(),
                LAYOUT.heapEnd(),
                8,
                2,
                FaultyMemory.Action.DROP_NEXT_DRAIN);
        assertThatThrownBy(() ->
                        transfer().fault(FaultyMemory.dropping(rule, fault)).run(dir))
                .isInstanceOfSatisfying(CrashConsistencyError.class, error -> {
                    assertUsefulMessage(error);
                    assertThat(error.getMessage())
                            .contains("neither the state before nor the state after")
                            .contains("UndoLog.invalidate");
                });
        assertThat(fault[0].fired()).isTrue();
    }

    @Test
    void aFaultOutsideTheRecordingChangesNothing() {
        // Matches are counted only while recording: a rule for a second redo persist never fires here.
        FaultyMemory[] fault = new FaultyMemory[1];
        var rule = new FaultyMemory.Rule(
                "the drain after a second redo persist",
                LAYOUT.laneOffset(0),
                LAYOUT.laneOffset(0) + PoolLayout.REDO_SIZE,
                32,
                2,
                FaultyMemory.Action.DROP_NEXT_DRAIN);
        allocateInto().fault(FaultyMemory.dropping(rule, fault)).run(dir);
        assertThat(fault[0].fired()).isFalse();
    }
}
