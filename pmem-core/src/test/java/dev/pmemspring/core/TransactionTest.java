package dev.pmemspring.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionTest {

    @TempDir
    Path dir;

    Path path;
    PmemPool pool;
    MemoryBlock root;

    private PoolOptions options() {
        return PoolOptions.layout("tx")
                .withSize(64L << 20)
                .withDurability(Durability.PROCESS)
                .withLockTimeout(Duration.ofMillis(200));
    }

    @BeforeEach
    void open() {
        path = dir.resolve("tx.pool");
        pool = PmemPool.create(path, options());
        root = pool.root(1024);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    private void reopen() {
        pool.close();
        pool = PmemPool.open(path, options());
        root = pool.root(1024);
    }

    @Test
    void committedChangesSurviveReopen() {
        pool.transaction(tx -> {
            tx.putLong(root.fieldHandle(0), 41);
            tx.snapshot(root.fieldHandle(8), 16);
            root.putLong(8, 42);
            root.putLong(16, 43);
            tx.putBytes(root.fieldHandle(24), new byte[] {1, 2, 3});
            tx.putInt(root.fieldHandle(32), 7);
            tx.putByte(root.fieldHandle(36), (byte) 9);
        });
        reopen();
        assertThat(root.getLong(0)).isEqualTo(41);
        assertThat(root.getLong(8)).isEqualTo(42);
        assertThat(root.getLong(16)).isEqualTo(43);
        assertThat(root.getBytes(24, 3)).containsExactly(1, 2, 3);
        assertThat(root.getInt(32)).isEqualTo(7);
        assertThat(root.getByte(36)).isEqualTo((byte) 9);
        assertThat(pool.stats().transactionsCommitted()).isZero(); // counted per open
    }

    @Test
    void anExceptionRollsEverythingBackAndIsRethrown() {
        root.putLong(0, 1);
        long kept = pool.allocateInto(root.fieldHandle(8), 64, b -> b.putLong(0, 5));
        long objects = pool.stats().objects();
        assertThatThrownBy(() -> pool.transaction(tx -> {
                    tx.putLong(root.fieldHandle(0), 2);
                    long fresh = tx.allocate(100);
                    tx.putLong(root.fieldHandle(16), fresh);
                    tx.free(kept);
                    tx.putLong(root.fieldHandle(8), 0);
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");
        assertThat(root.getLong(0)).isEqualTo(1);
        assertThat(root.getLong(8)).isEqualTo(kept);
        assertThat(root.getLong(16)).isZero();
        assertThat(pool.block(kept).getLong(0)).isEqualTo(5);
        assertThat(pool.stats().objects()).isEqualTo(objects);
        assertThat(pool.stats().transactionsAborted()).isEqualTo(1);
        reopen();
        assertThat(pool.block(kept).getLong(0)).isEqualTo(5);
        assertThat(pool.stats().objects()).isEqualTo(objects);
    }

    @Test
    void allocationsArePublishedAndFreesAppliedOnlyAtCommit() {
        long old = pool.allocateInto(root.fieldHandle(0), 64, null);
        long objects = pool.stats().objects();
        long fresh = pool.transactionResult(tx -> {
            long h = tx.allocate(3_000_000); // large: whole chunks
            pool.block(h).putLong(0, 77); // new blocks need no snapshot
            long small = tx.allocate(48);
            pool.block(small).putLong(0, 78);
            tx.putLong(root.fieldHandle(8), small);
            tx.free(old);
            tx.putLong(root.fieldHandle(0), h);
            assertThatThrownBy(() -> tx.free(old)).isInstanceOf(IllegalArgumentException.class);
            return h;
        });
        assertThat(pool.stats().objects()).isEqualTo(objects + 1);
        assertThatThrownBy(() -> pool.sizeOf(old)).isInstanceOf(IllegalArgumentException.class);
        reopen();
        assertThat(root.getLong(0)).isEqualTo(fresh);
        assertThat(pool.block(fresh).getLong(0)).isEqualTo(77);
        assertThat(pool.block(root.getLong(8)).getLong(0)).isEqualTo(78);
        assertThat(pool.stats().objects()).isEqualTo(objects + 1);
    }

    @Test
    void aBlockAllocatedAndFreedInOneTransactionLeavesNothing() {
        long objects = pool.stats().objects();
        pool.transaction(tx -> {
            tx.free(tx.allocate(64));
            tx.free(tx.allocate(1 << 20));
        });
        assertThatThrownBy(() -> pool.transaction(tx -> {
                    tx.free(tx.allocate(64));
                    throw new IllegalStateException("x");
                }))
                .hasMessage("x");
        assertThat(pool.stats().objects()).isEqualTo(objects);
        reopen();
        assertThat(pool.stats().objects()).isEqualTo(objects);
    }

    @Test
    void explicitBoundariesNestAndFlatten() {
        Transaction outer = pool.begin();
        outer.putLong(root.fieldHandle(0), 1);
        Transaction inner = pool.begin();
        assertThat(inner).isSameAs(outer);
        inner.putLong(root.fieldHandle(8), 2);
        inner.commit(); // leaves the nested level only
        assertThat(pool.currentTransaction()).contains(outer);
        outer.abort();
        assertThat(root.getLong(0)).isZero();
        assertThat(root.getLong(8)).isZero();
        assertThat(pool.currentTransaction()).isEmpty();
        assertThat(outer.isActive()).isFalse();
    }

    @Test
    void aFailingInnerTransactionAbortsTheOuterOne() {
        assertThatThrownBy(() -> pool.transaction(tx -> {
                    tx.putLong(root.fieldHandle(0), 1);
                    try {
                        pool.transaction(in -> {
                            in.putLong(root.fieldHandle(8), 2);
                            throw new IllegalArgumentException("inner");
                        });
                    } catch (IllegalArgumentException swallowed) {
                        // the outer level carries on as if nothing happened...
                    }
                    tx.putLong(root.fieldHandle(16), 3); // ...but the transaction is gone
                }))
                .isInstanceOf(TransactionAbortedException.class)
                .hasMessageContaining("rolled back");
        assertThat(root.getLong(0)).isZero();
        assertThat(root.getLong(8)).isZero();
        assertThat(root.getLong(16)).isZero();
    }

    @Test
    void callbacksRunAfterTheOutcome() {
        List<String> events = new ArrayList<>();
        pool.transaction(tx -> {
            tx.onCommit(() -> events.add("commit:" + pool.currentTransaction().isPresent()));
            tx.onAbort(() -> events.add("abort"));
        });
        Transaction tx = pool.begin();
        tx.onCommit(() -> events.add("commit2"));
        tx.onAbort(() -> events.add("abort2"));
        tx.abort();
        assertThat(events).containsExactly("commit:false", "abort2");
    }

    @Test
    void largeTransactionsExtendTheirLog() {
        int n = 3000; // 3000 snapshots and frees: far more than a lane's 7 KiB of log
        MemoryBlock table = pool.block(pool.allocateInto(root.fieldHandle(0), 8L * n, null));
        for (int i = 0; i < n; i++) {
            int id = i;
            pool.allocateInto(table.fieldHandle(8L * i), 64, b -> b.putLong(0, id));
        }
        long objects = pool.stats().objects();
        assertThatThrownBy(() -> pool.transaction(tx -> {
                    for (int i = 0; i < n; i++) {
                        long h = table.getLong(8L * i);
                        tx.putLong(h, -1);
                        tx.free(h);
                        tx.putLong(table.fieldHandle(8L * i), 0);
                    }
                    throw new IllegalStateException("not today");
                }))
                .hasMessage("not today");
        long withLogExtensions = pool.stats().objects();
        for (int i = 0; i < n; i++) {
            assertThat(pool.block(table.getLong(8L * i)).getLong(0)).isEqualTo(i);
        }
        pool.transaction(tx -> {
            for (int i = 0; i < n; i++) {
                tx.free(table.getLong(8L * i));
                tx.putLong(table.fieldHandle(8L * i), 0);
            }
        });
        assertThat(withLogExtensions).isGreaterThan(objects); // the log grew into the heap, and keeps it
        assertThat(pool.stats().objects()).isEqualTo(withLogExtensions - n);
        reopen();
        assertThat(pool.stats().objects()).isEqualTo(withLogExtensions - n);
    }

    @Test
    void anUnfinishedTransactionIsRolledBackOnOpen() {
        long kept = pool.allocateInto(root.fieldHandle(8), 64, b -> b.putLong(0, 5));
        long objects = pool.stats().objects();
        Transaction tx = pool.begin();
        tx.putLong(root.fieldHandle(0), 99);
        tx.putLong(root.fieldHandle(16), tx.allocate(200));
        tx.free(kept);
        pool.close(); // as if the process died here
        pool = PmemPool.open(path, options());
        root = pool.root(1024);
        assertThat(pool.lastRecovery().transactionsRolledBack()).isEqualTo(1);
        assertThat(root.getLong(0)).isZero();
        assertThat(root.getLong(16)).isZero();
        assertThat(pool.block(kept).getLong(0)).isEqualTo(5);
        assertThat(pool.stats().objects()).isEqualTo(objects);
        reopen();
        assertThat(pool.lastRecovery().transactionsRolledBack()).isZero(); // recovery is done once
    }

    @Test
    void misuseIsRefusedClearly() {
        assertThatThrownBy(() -> pool.transaction(tx -> tx.snapshot(8, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not inside one allocated block");
        assertThatThrownBy(() -> pool.transaction(tx -> tx.snapshot(root.handle() + 1000, 100)))
                .isInstanceOf(IllegalArgumentException.class);
        Transaction tx = pool.begin();
        Future<?> other = Executors.newSingleThreadExecutor().submit(() -> tx.putLong(root.handle(), 1));
        assertThatThrownBy(other::get)
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("belongs to the thread");
        tx.commit();
        assertThatThrownBy(tx::commit)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already committed");
    }

    @Test
    void aLockHeldTooLongAbortsTheWaiterInsteadOfDeadlocking() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService exec = Executors.newSingleThreadExecutor();
        Future<?> holder = exec.submit(() -> pool.transaction(tx -> {
            tx.putLong(root.fieldHandle(0), 1);
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        held.await();
        assertThatThrownBy(() -> pool.transaction(tx -> {
                    tx.putLong(root.fieldHandle(64), 5);
                    tx.putLong(root.fieldHandle(0), 2); // the same field: waits, then gives up
                }))
                .isInstanceOf(TransactionLockTimeoutException.class)
                .hasMessageContaining("rolled back");
        assertThat(root.getLong(64)).isZero(); // the waiter's own write was rolled back
        assertThat(root.getLong(0)).isEqualTo(1); // and the holder's left alone
        release.countDown();
        holder.get();
        exec.shutdown();
        assertThat(root.getLong(0)).isEqualTo(1);
        pool.transaction(tx -> {
            tx.putLong(root.fieldHandle(0), 5); // the holder's lock was released
            tx.putLong(root.fieldHandle(64), 6); // and so was the waiter's, at its rollback
        });
        assertThat(root.getLong(0)).isEqualTo(5);
        assertThat(root.getLong(64)).isEqualTo(6);
    }

    /**
     * Runs {@code body} in a transaction on another thread and keeps it open until released; then
     * it commits, or rolls back if {@code rollBack}.
     */
    private Future<?> holdOpen(
            ExecutorService exec, CountDownLatch release, boolean rollBack, Consumer<Transaction> body)
            throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        Future<?> holder = exec.submit(() -> {
            try {
                pool.transaction(tx -> {
                    body.accept(tx);
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    if (rollBack) {
                        throw new UnsupportedOperationException("changed my mind");
                    }
                });
            } catch (UnsupportedOperationException expected) {
                // rolled back, as asked
            }
        });
        if (!held.await(10, TimeUnit.SECONDS)) {
            release.countDown();
            throw new AssertionError("the holding transaction did not start", failure(holder));
        }
        return holder;
    }

    private static Throwable failure(Future<?> holder) {
        try {
            holder.get(10, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void transactionsWritingDifferentFieldsOfOneBlockDoNotWaitAndRollBackOnlyTheirOwn() throws Exception {
        ExecutorService exec = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = holdOpen(exec, release, false, tx -> tx.putLong(root.fieldHandle(0), 1));
        // Done within the 200 ms lock timeout, which waiting for a lock on the whole block would exceed.
        pool.transaction(tx -> tx.putLong(root.fieldHandle(8), 2));
        release.countDown();
        holder.get();
        assertThat(root.getLong(0)).isEqualTo(1);
        assertThat(root.getLong(8)).isEqualTo(2);

        CountDownLatch release2 = new CountDownLatch(1);
        Future<?> aborting = holdOpen(exec, release2, true, tx -> tx.putLong(root.fieldHandle(0), 10));
        pool.transaction(tx -> tx.putLong(root.fieldHandle(8), 20)); // while the other is open
        release2.countDown();
        aborting.get();
        exec.shutdown();
        assertThat(root.getLong(0)).isEqualTo(1); // its rollback restored its own field only
        assertThat(root.getLong(8)).isEqualTo(20);
        reopen();
        assertThat(root.getLong(0)).isEqualTo(1);
        assertThat(root.getLong(8)).isEqualTo(20);
    }

    @Test
    void aWholeBlockLockOrFreeWaitsForAFieldLockedInsideIt() throws Exception {
        long other = pool.allocateInto(root.fieldHandle(512), 64, b -> b.putLong(0, 7));
        ExecutorService exec = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = holdOpen(exec, release, false, tx -> tx.putLong(other + 8, 1));
        assertThatThrownBy(() -> pool.transaction(tx -> tx.lock(other + 32)))
                .isInstanceOf(TransactionLockTimeoutException.class)
                .hasMessageContaining("of block " + other);
        assertThatThrownBy(() -> pool.transaction(tx -> tx.free(other)))
                .isInstanceOf(TransactionLockTimeoutException.class);
        assertThat(pool.block(other).getLong(0)).isEqualTo(7); // not freed
        release.countDown();
        holder.get();

        // And the other way round: a field of a block locked whole waits.
        CountDownLatch release2 = new CountDownLatch(1);
        Future<?> locker = holdOpen(exec, release2, false, tx -> tx.lock(other));
        assertThatThrownBy(() -> pool.transaction(tx -> tx.putLong(other + 56, 3)))
                .isInstanceOf(TransactionLockTimeoutException.class);
        release2.countDown();
        locker.get();
        exec.shutdown();
        pool.transaction(tx -> tx.putLong(other + 56, 3));
        assertThat(pool.block(other).getLong(56)).isEqualTo(3);
    }

    @Test
    void aBlockAllocatedInAnOpenTransactionIsLockedUntilItEnds() throws Exception {
        ExecutorService exec = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong fresh = new AtomicLong();
        long objects = pool.stats().objects();
        Future<?> holder = holdOpen(exec, release, true, tx -> fresh.set(tx.allocate(64)));
        try {
            // A handle that leaked out of the transaction: its block is not committed yet.
            assertThatThrownBy(() -> pool.transaction(tx -> tx.putLong(fresh.get(), 1)))
                    .isInstanceOf(TransactionLockTimeoutException.class);
        } finally {
            release.countDown();
        }
        holder.get();
        exec.shutdown();
        assertThat(pool.stats().objects()).isEqualTo(objects); // the rolled-back block is gone
    }

    @Test
    void aBlockFreedWhileATransactionWaitedForItIsRefused() throws Exception {
        pool.close();
        pool = PmemPool.open(path, options().withLockTimeout(Duration.ofSeconds(60)));
        root = pool.root(1024);
        long objects = pool.stats().objects();
        long block = pool.allocateInto(root.fieldHandle(0), 64, b -> b.putLong(8, 7));
        ExecutorService exec = Executors.newFixedThreadPool(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<?> freer = holdOpen(exec, release, false, tx -> {
            tx.free(block);
            tx.putLong(root.fieldHandle(0), 0);
        });
        Future<?> waiter;
        try {
            waiter = exec.submit(() -> {
                waiterThread.set(Thread.currentThread());
                pool.transaction(tx -> tx.putLong(block + 8, 8));
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waiterThread.get() == null || waiterThread.get().getState() != Thread.State.TIMED_WAITING) {
                assertThat(System.nanoTime()).as("the waiter never waited").isLessThan(deadline);
                Thread.sleep(1);
            }
        } finally {
            release.countDown();
        }
        freer.get();
        assertThatThrownBy(waiter::get)
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was freed by another transaction while this one waited");
        exec.shutdown();
        assertThat(pool.stats().objects()).isEqualTo(objects);
        assertThat(pool.check().problems()).isEmpty();
    }

    @Test
    void aTransactionIsNeverStoppedByWhatItLockedItself() {
        pool.transaction(tx -> {
            tx.snapshot(root.fieldHandle(0), 16);
            tx.snapshot(root.fieldHandle(8), 16);
            tx.lock(root.fieldHandle(100));
            tx.putLong(root.fieldHandle(200), 9);
            tx.snapshot(root.fieldHandle(0), 1024);
        });
        assertThat(root.getLong(200)).isEqualTo(9);
    }

    @Test
    void concurrentTransfersKeepTheTotal() throws Exception {
        int accounts = 32;
        MemoryBlock table = pool.block(pool.allocateInto(root.fieldHandle(0), 8L * accounts, null));
        for (int i = 0; i < accounts; i++) {
            pool.allocateInto(table.fieldHandle(8L * i), 16, b -> b.putLong(0, 1000));
        }
        AtomicInteger aborted = new AtomicInteger();
        ExecutorService exec = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            futures.add(exec.submit(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < 2000; i++) {
                    int a = random.nextInt(accounts);
                    int b = random.nextInt(accounts);
                    if (a == b) {
                        continue;
                    }
                    long from = table.getLong(8L * a);
                    long to = table.getLong(8L * b);
                    long amount = random.nextInt(50);
                    try {
                        pool.transaction(tx -> {
                            tx.snapshot(from, 8); // lock before reading
                            tx.snapshot(to, 8);
                            MemoryBlock f = pool.block(from);
                            MemoryBlock g = pool.block(to);
                            f.putLong(0, f.getLong(0) - amount);
                            g.putLong(0, g.getLong(0) + amount);
                            if (random.nextInt(10) == 0) {
                                throw new IllegalStateException("changed my mind");
                            }
                        });
                    } catch (IllegalStateException | TransactionLockTimeoutException e) {
                        aborted.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        exec.shutdown();
        long total = 0;
        for (int i = 0; i < accounts; i++) {
            total += pool.block(table.getLong(8L * i)).getLong(0);
        }
        assertThat(total).isEqualTo(1000L * accounts);
        assertThat(aborted.get()).isPositive();
        assertThat(pool.stats().transactionsAborted()).isEqualTo(aborted.get());
    }
}
