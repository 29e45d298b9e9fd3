package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recovery is itself crash-consistent: take the crash image of an interrupted operation, record
 * its recovery (the open: redo replay, rollback, shutdown mark), cut that recording at every crash
 * point with lost writes, recover again, and require the state the uninterrupted recovery reaches.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RecoveryCrashSimTest {

    @TempDir
    Path dir;

    private static Object observe(PmemPool pool, long root) {
        MemoryBlock r = pool.block(root);
        List<String> state = new ArrayList<>();
        for (int i = 0; i < RootSlots.SLOTS; i++) {
            long h = r.getLong(8L * i);
            if (h == 0) {
                state.add("-");
                continue;
            }
            try {
                MemoryBlock b = pool.block(h);
                state.add(h + ":" + b.getLong(0) + "," + b.getLong(8));
            } catch (IllegalArgumentException free) {
                state.add(h + ":FREE");
            }
        }
        return state;
    }

    /** Slot 0 and 1: accounts (balance, version); slot 6: a 64 KiB block. */
    private static long setup(PmemPool pool) {
        long root = RootSlots.create(pool);
        for (int slot = 0; slot < 2; slot++) {
            long balance = 100L * (slot + 1);
            pool.allocateInto(RootSlots.slot(root, slot), 64, b -> {
                b.putLong(0, balance);
                b.putLong(8, 1);
            });
        }
        pool.allocateInto(RootSlots.slot(root, 6), 64 * 1024, b -> b.fill(0, 64 * 1024, (byte) 9));
        return root;
    }

    private static long slotValue(PmemPool pool, long root, int slot) {
        return pool.block(root).getLong(8L * slot);
    }

    /** A transaction that touches everything a rollback restores: snapshots, an allocation, a free. */
    private static void busyTransaction(PmemPool pool, Transaction tx, long root) {
        long a = slotValue(pool, root, 0);
        long b = slotValue(pool, root, 1);
        tx.snapshot(a, 16);
        pool.block(a).putLong(0, 1);
        pool.block(a).putLong(8, 2);
        long fresh = tx.allocate(64);
        pool.block(fresh).putLong(0, 5);
        tx.putLong(RootSlots.slot(root, 2), fresh);
        tx.free(b);
        tx.putLong(RootSlots.slot(root, 1), 0);
    }

    private static CrashSimulator<Long> scenario(String name) {
        return CrashSimulator.scenario(name)
                .setup(RecoveryCrashSimTest::setup)
                .observe(RecoveryCrashSimTest::observe)
                .reachable(RootSlots::handles);
    }

    /**
     * Records {@code original}, takes its crash image at the point {@code where} finds with the subset
     * {@code choose} picks, records the recovery of that image and checks every crash point inside it.
     *
     * @param expected the state the uninterrupted recovery must reach, or null for the end state of {@code original}
     * @return the report of the exploration inside the recovery
     */
    private CrashSimulator.Report crashInsideRecovery(
            CrashSimulator<Long> original,
            Function<Recording, Integer> where,
            Function<PersistenceModel, PersistenceModel.Subset> choose,
            Object expected,
            Exploration exploration) {
        CrashSimulator.Recorded<Long> recorded = original.record(dir);
        int point = where.apply(recorded.recording());
        byte[] image = CrashSimulator.crashImage(recorded.recording(), point, choose);
        CrashSimulator<Long> recovery = CrashSimulator.scenario("recovery of the crash at point " + point)
                .recoveryOf(image, recorded.context())
                .observe(RecoveryCrashSimTest::observe)
                .reachable(RootSlots::handles)
                .explore(exploration);
        CrashSimulator.Recorded<Long> recoveryRecording = recovery.record(dir);
        assertThat(recoveryRecording.marks().getLast().state())
                .as("what the uninterrupted recovery reaches")
                .isEqualTo(expected == null ? recorded.marks().getLast().state() : expected);
        return recovery.run(recoveryRecording, dir);
    }

    @Test
    void crashDuringTheRollbackOfAnInterruptedTransaction() {
        CrashSimulator<Long> tx = scenario("busy transaction")
                .operation((pool, root, steps) -> pool.transaction(t -> busyTransaction(pool, t, root)));
        Object before = tx.record(dir).marks().getFirst().state();
        // Cut just as the commit starts, with every write of the transaction on the media.
        var report = crashInsideRecovery(
                tx,
                r -> r.first(Recording.madeBy("ActiveTransaction.commit")),
                PersistenceModel::allPresent,
                before,
                Exploration.exhaustive(4));
        assertThat(report.rollbacks()).isPositive();
        // And halfway through, with a random half of the pending stores lost.
        crashInsideRecovery(
                tx,
                r -> r.first(Recording.madeBy("ActiveTransaction.changeBits")),
                m -> m.random(new java.util.SplittableRandom(42), 0.5, "half"),
                before,
                Exploration.exhaustive(4));
    }

    @Test
    void crashDuringTheReplayOfARedoLog() {
        CrashSimulator<Long> op = scenario("freeFrom slot 0, allocateInto slot 3")
                .operation((pool, root, steps) -> {
                    pool.freeFrom(RootSlots.slot(root, 0));
                    steps.done();
                    pool.allocateInto(RootSlots.slot(root, 3), 200, null);
                });
        // Right after the second redo log is durable, before any of its entries is applied.
        var report = crashInsideRecovery(
                op,
                r -> r.last(e -> e instanceof Event.Drain
                                && e.site().startsWith("RedoLog.commit")
                                && e.index() < r.last(Recording.madeBy("RedoLog.applyOne")))
                        + 1,
                PersistenceModel::allLost,
                null,
                Exploration.exhaustive(4));
        assertThat(report.redoReplays()).isPositive();
    }

    @Test
    void crashDuringTheRollbackOfALargeTransaction() {
        CrashSimulator<Long> big = scenario("large transaction over two undo segments")
                .operation((pool, root, steps) -> pool.transaction(tx -> {
                    long data = slotValue(pool, root, 6);
                    for (int i = 0; i < 120; i++) {
                        tx.putBytes(data + 64L * i, new byte[64]);
                    }
                    busyTransaction(pool, tx, root);
                }));
        Object before = big.record(dir).marks().getFirst().state();
        crashInsideRecovery(
                big,
                r -> r.first(Recording.madeBy("ActiveTransaction.commit")),
                PersistenceModel::allPresent,
                before,
                Exploration.exhaustive(2));
    }

    @Test
    void crashDuringARollbackInterruptedByACrash() {
        CrashSimulator<Long> aborted = scenario("busy transaction, aborted").operation((pool, root, steps) -> {
            Transaction t = pool.begin();
            busyTransaction(pool, t, root);
            t.abort();
        });
        Object before = aborted.record(dir).marks().getFirst().state();
        // Cut in the middle of the abort's rollback: some entries restored, the log still valid.
        crashInsideRecovery(
                aborted,
                r -> {
                    int first = r.first(Recording.madeBy("UndoLog.rollback"));
                    int last = r.last(Recording.madeBy("UndoLog.rollback"));
                    return (first + last) / 2;
                },
                PersistenceModel::allPresent,
                before,
                Exploration.exhaustive(4));
    }
}
