package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.internal.memory.MappedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** pmemcheck-style warnings, on hand-made recordings and on the pool's own commit paths. */
class PersistenceWarningsTest {

    @TempDir
    Path dir;

    private static RecordingMemory recorder() {
        RecordingMemory recorder = new RecordingMemory();
        recorder.wrap(new MappedMemory(Arena.ofAuto().allocate(64 * 1024, 64), false));
        recorder.start();
        return recorder;
    }

    @Test
    void flagsFlushesOfUnchangedRanges() {
        RecordingMemory m = recorder();
        m.putLong(64, 1);
        m.flush(64, 8);
        m.flush(64, 8); // nothing stored since the last flush
        m.drain();
        m.flush(4096, 64); // never stored
        m.drain();
        var warnings = PersistenceWarnings.analyze(m.stop());
        assertThat(warnings.unnecessaryFlushes())
                .extracting(PersistenceWarnings.Warning::event)
                .containsExactly(2, 4);
        assertThat(warnings.notDurableAtEnd()).isEmpty();
    }

    @Test
    void flagsStoresNotDurableAtTheEnd() {
        RecordingMemory m = recorder();
        m.putLong(64, 1); // never flushed
        m.putLong(128, 2);
        m.flush(128, 8); // flushed, never drained
        m.putLong(256, 3);
        m.persist(256, 8); // durable
        var warnings = PersistenceWarnings.analyze(m.stop());
        // The flush of 128 is drained by the persist of 256: only the unflushed store remains.
        assertThat(warnings.notDurableAtEnd())
                .extracting(PersistenceWarnings.Warning::offset)
                .containsExactly(64L);

        RecordingMemory n = recorder();
        n.putLong(128, 2);
        n.flush(128, 8);
        assertThat(PersistenceWarnings.analyze(n.stop()).notDurableAtEnd()).hasSize(1);
    }

    @Test
    void flagsStoresNotFlushedAtACommitPoint() {
        RecordingMemory m = recorder();
        m.putLong(64, 1);
        m.putLong(128, 2);
        m.flush(64, 8);
        m.drain(); // the commit point (event 3)
        m.flush(128, 8);
        m.drain();
        var warnings = PersistenceWarnings.analyze(m.stop(), drain -> drain.index() == 3);
        assertThat(warnings.unflushedAtCommit()).singleElement().satisfies(w -> {
            assertThat(w.offset()).isEqualTo(128);
            assertThat(w.message()).contains("was not flushed before the commit point #3 drain");
        });
        assertThat(warnings.notDurableAtEnd()).isEmpty();
    }

    /** The drain before the generation bump: what a transaction's commit point waits for. */
    private static boolean txCommitPoint(Event.Drain drain) {
        return drain.site().startsWith("ActiveTransaction.commit:");
    }

    @Test
    void aCorrectTransactionLeavesNothingBehind() {
        var recorded = CrashSimulator.scenario("transfer")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    pool.allocateInto(RootSlots.slot(root, 0), 64, null);
                    return pool.block(root).getLong(0);
                })
                .operation((pool, account, steps) -> pool.transaction(tx -> {
                    tx.snapshot(account, 16);
                    pool.block(account).putLong(0, 10);
                    tx.putLong(account + 8, 11);
                }))
                .record(dir);
        var warnings = PersistenceWarnings.analyze(recorded.recording(), PersistenceWarningsTest::txCommitPoint);
        assertThat(warnings.all()).as(warnings.toString()).isEmpty();
    }

    @Test
    void aWriteOutsideTheTransactionShowsAtTheCommitPoint() {
        var recorded = CrashSimulator.scenario("transfer with a write the transaction does not cover")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    pool.allocateInto(RootSlots.slot(root, 0), 64, null);
                    pool.allocateInto(RootSlots.slot(root, 1), 64, null);
                    return root;
                })
                .operation((pool, root, steps) -> pool.transaction(tx -> {
                    MemoryBlock r = pool.block(root);
                    tx.putLong(r.getLong(0), 10);
                    pool.block(r.getLong(8)).putLong(0, 11); // forgot tx.snapshot: neither logged nor flushed
                }))
                .record(dir);
        var warnings = PersistenceWarnings.analyze(recorded.recording(), PersistenceWarningsTest::txCommitPoint);
        assertThat(warnings.unflushedAtCommit())
                .singleElement()
                .satisfies(w -> assertThat(w.site()).contains("PersistenceWarningsTest"));
        assertThat(warnings.notDurableAtEnd())
                .singleElement()
                .satisfies(w -> assertThat(w.message()).contains("is not durable at the end"));
    }

    @Test
    void theAllocatorsCommitPathsFlushNothingTwice() {
        var recorded = CrashSimulator.scenario("allocator operations")
                .setup(RootSlots::create)
                .operation((pool, root, steps) -> {
                    pool.allocateInto(RootSlots.slot(root, 0), 64, b -> b.putLong(0, 1));
                    pool.allocateInto(RootSlots.slot(root, 1), 300 * 1024, b -> b.putLong(0, 1));
                    pool.free(pool.allocate(1000, b -> b.putLong(0, 1)));
                    pool.freeFrom(RootSlots.slot(root, 0));
                    pool.freeFrom(RootSlots.slot(root, 1));
                    pool.root(4096);
                })
                .record(dir);
        var warnings = PersistenceWarnings.analyze(recorded.recording());
        assertThat(warnings.all()).as(warnings.toString()).isEmpty();
    }

    @Test
    void aTransactionFlushesTheBlocksItAllocatedEvenUnwritten() {
        // Known and harmless: commit flushes every block the transaction allocated, written or not.
        var recorded = CrashSimulator.scenario("allocate in a transaction, write nothing")
                .setup(RootSlots::create)
                .operation((pool, root, steps) ->
                        pool.transaction(tx -> tx.putLong(RootSlots.slot(root, 0), tx.allocate(64))))
                .record(dir);
        var warnings = PersistenceWarnings.analyze(recorded.recording());
        assertThat(warnings.unnecessaryFlushes())
                .singleElement()
                .satisfies(w -> assertThat(w.site()).startsWith("ActiveTransaction.flushRanges"));
    }
}
