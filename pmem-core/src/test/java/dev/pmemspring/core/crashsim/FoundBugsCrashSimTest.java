package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Crash-consistency bugs the simulator found in the pool, kept as regression tests. Each failed
 * before commit 64cbd31 with the failure its comment describes, and passes since.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FoundBugsCrashSimTest {

    @TempDir
    Path dir;

    // Found: a multi-word Lanes.commit wrote the redo log before the published block's contents were
    // durable (PmemPool.allocate flushed the block and relied on the drain of the log's persist), but any
    // log word may reach the media before that drain: a complete log then replayed and published a block
    // whose contents were lost. Fixed: RedoLog.commit drains before writing the log.
    @Test
    void allocateIntoPublishesOnlyDurableContents() {
        CrashSimulator.scenario("allocateInto 64 B with an initializer")
                .setup(RootSlots::create)
                .operation((pool, root, steps) -> pool.allocateInto(
                        RootSlots.slot(root, 0), 64, b -> RootSlots.tag(b, 64, RootSlots.tagFor(64, 1))))
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(4))
                .run(dir);
    }

    // Found: the same ordering for PmemPool.root: a valid log could publish a resized root whose copied
    // contents were lost.
    @Test
    void rootResizeKeepsTheContents() {
        CrashSimulator.scenario("root 64 B -> 1 KiB with contents")
                .setup(pool -> {
                    var root = pool.root(64);
                    root.putLong(0, 0x1234);
                    root.putLong(56, 0x5678);
                    root.persist();
                    return root.handle();
                })
                .operation((pool, first, steps) -> pool.root(1024))
                .observe((pool, first) -> {
                    var root = pool.root(pool.rootSize());
                    // The copied words, and the last word of the larger root, which must read zero.
                    return List.of(root.size(), root.getLong(0), root.getLong(56), root.getLong(root.size() - 8));
                })
                .explore(Exploration.exhaustive(4))
                .run(dir);
    }

    // Found: RedoLog's clear zeroed only the count. When the next batch in the lane had the same size and
    // only its count reached the media, the old checksum and entries validated again and were replayed,
    // undoing what changed those words since (here a transaction's free of the block and clear of the
    // slot). Fixed: the clear zeroes the checksum too.
    @Test
    void aClearedRedoLogIsNeverReplayed() {
        CrashSimulator.scenario("allocateInto after a transaction freed the previous batch's block")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    long slot0 = RootSlots.slot(root, 0);
                    pool.allocateInto(slot0, 64, null); // batch {bitmap OR, slot 0 = block}, 2 entries
                    pool.transaction(
                            tx -> { // changes both words, without the redo log
                                tx.free(pool.block(root).getLong(0));
                                tx.putLong(slot0, 0);
                            });
                    return root;
                })
                .operation((pool, root, steps) -> pool.allocateInto(RootSlots.slot(root, 1), 64, null)) // 2 entries
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(4))
                .run(dir);
    }

    // Found: the shutdown mark was four words; a crash while open wrote it (or close cleared it) could tear
    // it (even a kill -9 in PROCESS mode), and the next open refused the consistent pool with
    // PoolUnsafeShutdownException. Fixed: the mark is one atomic word (boot-id hash | mode).
    @Test
    void aCrashWhileOpeningOrClosingLeavesAnOpenablePool() throws IOException {
        Path path = dir.resolve("closed.pool");
        PmemPool.create(path, PoolOptions.layout("crashsim").withSize(8L << 20)).close();
        byte[] closed = Files.readAllBytes(path);
        // Crash points inside the open of a cleanly closed pool: the mark goes from closed to open.
        CrashSimulator.scenario("open of a cleanly closed pool")
                .recoveryOf(closed, 0L)
                .explore(Exploration.exhaustive(4))
                .run(dir);
    }

    // Found: TransactionEngine.extendLog published a reused 64 KiB block as the next undo-log segment
    // without zeroing its first word, the segment's own next field. Here a freed node whose first word was
    // the handle of another live 64 KiB block: from the next open on the live block was lane 0's third
    // segment, and a transaction filling the first two would write undo entries over it (the
    // damaged-link guard of 6613a72 accepts an aligned in-pool link). Fixed: the publishing batch zeroes
    // the next field.
    @Test
    void anUndoLogExtensionReusingADirtyBlockLinksNothingElse() {
        CrashSimulator.scenario("large transaction extending its log into a reused block")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    pool.allocateInto(RootSlots.slot(root, 6), 64 * 1024, b -> b.fill(0, 64 * 1024, (byte) 0));
                    pool.allocateInto(RootSlots.slot(root, 7), 64 * 1024, b -> b.fill(0, 64 * 1024, (byte) 0));
                    long victim = pool.block(root).getLong(8L * 7);
                    long node = pool.allocate(64 * 1024, b -> b.putLong(0, victim)); // a node linking the victim
                    pool.free(node);
                    return root;
                })
                .operation((pool, root, steps) -> {
                    long data = pool.block(root).getLong(8L * 6);
                    Transaction tx = pool.begin();
                    for (int i = 0; i < 100; i++) {
                        tx.putBytes(data + 64L * i, new byte[64]); // 100 entries: one extension
                    }
                    tx.commit();
                })
                .reachable(RootSlots::handles)
                .explore(Exploration.sampled(20, 1).withFocus(Recording.within("TransactionEngine.extendLog")))
                .run(dir);
    }
}
