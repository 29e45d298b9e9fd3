package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transactions under simulated power loss: after a crash at any point of a transaction (its
 * snapshots, writes, allocations, frees, commit or rollback), the recovered pool holds all of its
 * effects or none, and the allocator is consistent. A transaction large enough to extend its undo
 * log into the heap is sampled, with every crash point of the extension itself checked.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TransactionCrashSimTest {

    @TempDir
    Path dir;

    /** Root slots 0 and 1 hold two 64-byte accounts: balance at +0, version at +8. */
    record Bank(long root, long a, long b) {}

    private static Bank bank(PmemPool pool) {
        long root = RootSlots.create(pool);
        pool.allocateInto(RootSlots.slot(root, 0), 64, blk -> {
            blk.putLong(0, 100);
            blk.putLong(8, 1);
        });
        pool.allocateInto(RootSlots.slot(root, 1), 64, blk -> {
            blk.putLong(0, 50);
            blk.putLong(8, 1);
        });
        MemoryBlock r = pool.block(root);
        return new Bank(root, r.getLong(0), r.getLong(8));
    }

    /** Slots with their blocks' first two words. */
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

    private static CrashSimulator<Bank> bankScenario(String name) {
        return CrashSimulator.scenario(name)
                .setup(TransactionCrashSimTest::bank)
                .observe((pool, bank) -> observe(pool, bank.root()))
                .reachable((pool, bank) -> RootSlots.handles(pool, bank.root()));
    }

    private static void transfer(PmemPool pool, Transaction tx, Bank bank, long amount) {
        MemoryBlock a = pool.block(bank.a());
        MemoryBlock b = pool.block(bank.b());
        tx.snapshot(bank.a(), 16); // then plain writes
        a.putLong(0, a.getLong(0) - amount);
        a.putLong(8, a.getLong(8) + 1);
        tx.putLong(bank.b(), b.getLong(0) + amount); // setters snapshot for themselves
        tx.putLong(bank.b() + 8, b.getLong(8) + 1);
    }

    @ParameterizedTest(name = "stores persist in order: {0}")
    @ValueSource(booleans = {false, true})
    void snapshotAndWriteCommit(boolean inOrder) {
        // In order (durability process) the snapshots are ordered: payload fenced before a
        // checksum over the header words.
        var report = bankScenario("transfer, committed")
                .operation((pool, bank, steps) -> pool.transaction(tx -> transfer(pool, tx, bank, 30)))
                .storesPersistInOrder(inOrder)
                .explore(Exploration.exhaustive(4))
                .run(dir);
        assertThat(report.rollbacks())
                .as("some images must roll the transaction back")
                .isPositive();
    }

    @Test
    void abort() {
        var report = bankScenario("transfer, aborted")
                .operation((pool, bank, steps) -> {
                    Transaction tx = pool.begin();
                    transfer(pool, tx, bank, 30);
                    tx.abort();
                })
                .explore(Exploration.exhaustive(4))
                .run(dir);
        assertThat(report.rollbacks()).isPositive();
    }

    @Test
    void allocateAndFreeInside() {
        bankScenario("allocate into slot 2, free account b, transfer")
                .operation((pool, bank, steps) -> pool.transaction(tx -> {
                    long fresh = tx.allocate(100);
                    MemoryBlock f = pool.block(fresh);
                    f.putLong(0, 77); // a new block needs no snapshot
                    f.putLong(8, 78);
                    tx.putLong(RootSlots.slot(bank.root(), 2), fresh);
                    tx.snapshot(bank.a(), 8);
                    pool.block(bank.a()).putLong(0, 150);
                    tx.free(bank.b());
                    tx.putLong(RootSlots.slot(bank.root(), 1), 0);
                }))
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    @Test
    void abortWithRunBitsNeverChanged() {
        // No snapshot between them: every allocation's and free's entry is still pending at the abort.
        bankScenario("allocate and free a block, free account b, allocate another, abort")
                .operation((pool, bank, steps) -> {
                    Transaction tx = pool.begin();
                    long fresh = tx.allocate(64);
                    tx.free(fresh);
                    tx.free(bank.b());
                    tx.allocate(64);
                    tx.abort();
                })
                .explore(Exploration.exhaustive(4))
                .run(dir);
    }

    @Test
    void allocateAndFreeLargeInside() {
        CrashSimulator.scenario("allocate 300 KiB into slot 3, free the 600 KiB block of slot 4")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    pool.allocateInto(RootSlots.slot(root, 4), 600 * 1024, blk -> blk.putLong(0, 4));
                    return root;
                })
                .operation((pool, root, steps) -> pool.transaction(tx -> {
                    long big = tx.allocate(300 * 1024);
                    pool.block(big).putLong(0, 3);
                    tx.putLong(RootSlots.slot(root, 3), big);
                    tx.free(pool.block(root).getLong(8L * 4));
                    tx.putLong(RootSlots.slot(root, 4), 0);
                }))
                .observe(TransactionCrashSimTest::observe)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    @Test
    void allocateAndFreeTheSameBlockInside() {
        bankScenario("allocate and free a block in one transaction, aborted after a transfer")
                .operation((pool, bank, steps) -> {
                    pool.transaction(tx -> {
                        long fresh = tx.allocate(64);
                        pool.block(fresh).putLong(0, 1);
                        tx.free(fresh);
                        transfer(pool, tx, bank, 5);
                    });
                    steps.done();
                    Transaction tx = pool.begin();
                    long fresh = tx.allocate(64);
                    tx.putLong(RootSlots.slot(bank.root(), 5), fresh);
                    tx.free(fresh);
                    tx.putLong(RootSlots.slot(bank.root(), 5), 0);
                    transfer(pool, tx, bank, 7);
                    tx.abort();
                })
                .explore(Exploration.exhaustive(2))
                .run(dir);
    }

    @Test
    void nestedTransactionsFlatten() {
        bankScenario("nested transfer inside a transfer, committed by the outer level")
                .operation((pool, bank, steps) -> pool.transaction(outer -> {
                    transfer(pool, outer, bank, 10);
                    pool.transaction(inner -> transfer(pool, inner, bank, 20));
                }))
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    @Test
    void twoTransactionsOnFieldsOfOneBlockOneRolledBack() {
        twoTransactionsOnOneBlock("two transactions on the two words of one block", 0, 8);
    }

    @Test
    void twoTransactionsOnHalvesOfOneWordOneRolledBack() {
        twoTransactionsOnOneBlock("two transactions on the two halves of one word", 4, 0);
    }

    /**
     * One transaction writes the int at {@code held} of account a and stays open while another
     * writes the int at {@code committed} and commits; then the first rolls back. In every image
     * the first's int is as before, and the second's is its old value until it committed, then its
     * new one.
     *
     * <p>The only recording with two threads: the latches order them, so the recorder sees one
     * thread's stores at a time.
     */
    private void twoTransactionsOnOneBlock(String name, int held, int committed) {
        var report = bankScenario(name + ": one commits while the other is open, then the other rolls back")
                .observe((pool, bank) -> pool.block(bank.a()).getInt(committed))
                .check(recovered -> {
                    MemoryBlock a = recovered.pool().block(recovered.context().a());
                    assertThat(a.getInt(held))
                            .as("the rolled-back transaction's int")
                            .isEqualTo(held == 0 ? 100 : 0);
                    if (recovered.step() >= 1) {
                        assertThat(a.getInt(committed))
                                .as("the committed transaction's int")
                                .isEqualTo(77);
                    }
                })
                .operation((pool, bank, steps) -> {
                    CountDownLatch written = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    Thread other = Thread.ofPlatform().start(() -> {
                        Transaction tx = pool.begin();
                        try {
                            tx.putInt(bank.a() + held, 999);
                            written.countDown();
                            awaitUninterruptibly(release);
                        } finally {
                            tx.abort();
                        }
                    });
                    try {
                        awaitUninterruptibly(written);
                        pool.transaction(tx -> tx.putInt(bank.a() + committed, 77));
                        steps.done();
                    } finally {
                        release.countDown();
                        joinUninterruptibly(other);
                    }
                    assertThat(pool.block(bank.a()).getInt(committed)).isEqualTo(77); // not undone by the rollback
                })
                .explore(Exploration.exhaustive(4))
                .run(dir);
        assertThat(report.rollbacks()).isPositive();
    }

    private static void joinUninterruptibly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- large transactions

    private static final int DATA = 64 * 1024;
    private static final int PIECES = 100; // 100 snapshots of 64 B: more than the lane's 7 KiB undo segment

    /** Slot 6 holds a 64 KiB data block; its CRC is the state. */
    private static Object observeData(PmemPool pool, long root) {
        long h = pool.block(root).getLong(8L * 6);
        MemoryBlock data = pool.block(h);
        CRC32C crc = new CRC32C();
        crc.update(data.getBytes(0, DATA));
        return List.of(observe(pool, root), Long.toHexString(crc.getValue()));
    }

    private static void rewrite(PmemPool pool, Transaction tx, long data, int round) {
        for (int i = 0; i < PIECES; i++) {
            byte[] piece = new byte[64];
            java.util.Arrays.fill(piece, (byte) (round * 31 + i));
            tx.putBytes(data + 64L * i, piece);
        }
    }

    @Test
    void largeTransactionsExtendTheUndoLog() {
        var report = CrashSimulator.scenario("three large transactions: extend the undo log, reuse it, abort")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    pool.allocateInto(RootSlots.slot(root, 6), DATA, blk -> blk.fill(0, DATA, (byte) 1));
                    return root;
                })
                .operation((pool, root, steps) -> {
                    long data = pool.block(root).getLong(8L * 6);
                    pool.transaction(tx -> rewrite(pool, tx, data, 1)); // extends the log into the heap
                    steps.done();
                    pool.transaction(tx -> rewrite(pool, tx, data, 2)); // reuses the extension
                    steps.done();
                    Transaction tx = pool.begin();
                    rewrite(pool, tx, data, 3);
                    tx.abort(); // rolls back across both segments
                })
                .observe(TransactionCrashSimTest::observeData)
                .reachable(RootSlots::handles)
                .check(recovered -> assertThat(
                                HeapInvariants.poolOwned(recovered.pool(), recovered.raw(), recovered.layout()))
                        .as("the root and lane 0's undo extension, once it is published")
                        .hasSizeBetween(1, 2))
                .explore(Exploration.sampled(150, 3).withFocus(Recording.within("TransactionEngine.extendLog")))
                .run(dir);
        assertThat(report.rollbacks()).isPositive();
    }

    private static final int SMALL_BLOCKS = 260; // their undo entries (32 B each) fill more than the lane's segment

    /** Slot 7's table of small blocks, or "-": the table is published with all of them or not at all. */
    private static Object observeSmallBlocks(PmemPool pool, long root) {
        long table = pool.block(root).getLong(8L * 7);
        if (table == 0) {
            return "-";
        }
        MemoryBlock t = pool.block(table);
        long filled = 0;
        for (int i = 0; i < SMALL_BLOCKS; i++) {
            filled += pool.block(t.getLong(8L * i)).getLong(0) == i ? 1 : 0;
        }
        return filled;
    }

    private static List<Long> reachSmallBlocks(PmemPool pool, long root) {
        List<Long> reached = new ArrayList<>(RootSlots.handles(pool, root));
        long table = pool.block(root).getLong(8L * 7);
        if (table != 0) {
            for (int i = 0; i < SMALL_BLOCKS; i++) {
                reached.add(pool.block(table).getLong(8L * i));
            }
        }
        return reached;
    }

    @Test
    void runBitsChangedAtCommitWithUndoEntriesAcrossSegments() {
        // A transaction's run bits change at commit, their undo entries made durable in batches
        // (with a later entry, at a segment's end, or at commit): here allocations and then frees
        // whose entries do not fit the lane's segment, so a batch is cut by the move to an extension.
        var report = CrashSimulator.scenario(SMALL_BLOCKS + " allocations in one transaction, then their frees")
                .setup(RootSlots::create)
                .operation((pool, root, steps) -> {
                    // Each ends with allocations or frees, whose entries only the commit makes durable.
                    pool.transaction(tx -> {
                        long table = tx.allocate(8L * SMALL_BLOCKS);
                        tx.putLong(RootSlots.slot(root, 7), table);
                        for (int i = 0; i < SMALL_BLOCKS; i++) {
                            long h = tx.allocate(64);
                            pool.block(h).putLong(0, i);
                            pool.block(table).putLong(8L * i, h);
                        }
                    });
                    steps.done();
                    pool.transaction(tx -> {
                        long table = pool.block(root).getLong(8L * 7);
                        tx.putLong(RootSlots.slot(root, 7), 0);
                        for (int i = 0; i < SMALL_BLOCKS; i++) {
                            tx.free(pool.block(table).getLong(8L * i));
                        }
                        tx.free(table);
                    });
                })
                .observe(TransactionCrashSimTest::observeSmallBlocks)
                .reachable(TransactionCrashSimTest::reachSmallBlocks)
                .explore(Exploration.sampled(150, 3).withFocus(Recording.within("UndoLog.persistPending")))
                .run(dir);
        assertThat(report.rollbacks()).isPositive();
    }

    @Test
    void aSnapshotLargerThanAnUndoSegmentIsSplitAcrossSegments() {
        CrashSimulator.scenario("one 20 KiB snapshot: pieces in the lane's segment and in an extension")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    pool.allocateInto(RootSlots.slot(root, 6), DATA, blk -> blk.fill(0, DATA, (byte) 1));
                    return root;
                })
                .operation((pool, root, steps) -> pool.transaction(tx -> {
                    long data = pool.block(root).getLong(8L * 6);
                    tx.snapshot(data + 1000, 20 * 1024);
                    pool.block(data).fill(1000, 20 * 1024, (byte) 2);
                }))
                .observe(TransactionCrashSimTest::observeData)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(2))
                .run(dir);
    }
}
