package dev.pmemspring.core;

import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.MemoryDecorator;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A pool whose storage starts failing its write-backs part-way through an operation: the pool
 * stops taking changes (a later change on top could be undone, or overwritten, by the recovery of
 * the log the failure left), reads go on, and a reopen recovers to a state the operation's
 * atomicity allows, with nothing leaked or doubly owned.
 */
class PoolStopTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearDecorator() {
        MemoryDecorator.clear();
    }

    private static PoolOptions options() {
        return PoolOptions.layout("stop").withSize(16L << 20).withDurability(Durability.SYNC);
    }

    /** Opens a pool whose write-backs fail, from the {@code n}-th one after {@link FailingWriteBack#arm}. */
    private PmemPool openFailing(Path path, FailingWriteBack[] sink) {
        MemoryDecorator.set(inner -> sink[0] = new FailingWriteBack(inner));
        try {
            return PmemPool.open(path, options());
        } finally {
            MemoryDecorator.clear();
        }
    }

    /** Fails the {@code n}-th write-back from now, and every later one or that one only ({@code once}: EIO is reported once). */
    record Failure(int n, boolean once) {
        @Override
        public String toString() {
            return once ? "only write-back " + n : "write-backs from " + n + " on";
        }
    }

    static Stream<Failure> commitFailures() {
        return IntStream.rangeClosed(1, 4).boxed().flatMap(n -> Stream.of(new Failure(n, false), new Failure(n, true)));
    }

    static Stream<Failure> overwriteFailures() {
        return IntStream.rangeClosed(1, 3).boxed().flatMap(n -> Stream.of(new Failure(n, false), new Failure(n, true)));
    }

    static Stream<Failure> allocationFailures() {
        return IntStream.rangeClosed(1, 4).boxed().flatMap(n -> Stream.of(new Failure(n, false), new Failure(n, true)));
    }

    @ParameterizedTest(name = "{0} of a transaction's commit")
    @MethodSource("commitFailures")
    void aTransactionCutByFailingStorageStopsThePoolAndRecoversWhole(Failure failure) {
        Path path = dir.resolve("tx.pool");
        long root;
        try (PmemPool pool = PmemPool.create(path, options())) {
            MemoryBlock r = pool.root(64);
            root = r.handle();
            pool.transaction(tx -> {
                tx.putLong(root, 1);
                tx.putLong(root + 8, 0);
            });
            pool.map("m").put(bytes("key"), bytes("value-1"));
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        Transaction tx = pool.begin();
        tx.putLong(root, 2);
        long allocated = tx.allocate(256);
        tx.putLong(root + 8, allocated);
        memory[0].arm(failure);
        Throwable thrown = catchThrowable(tx::commit);
        tx.abort(); // what a caller's clean-up does; nothing once the transaction ended
        assertThat(memory[0].fired()).isTrue();
        assertThat(thrown).isInstanceOf(PoolStoppedException.class).hasRootCauseInstanceOf(IOException.class);
        assertThat(thrown.getMessage()).contains("Close the pool and open it again");
        assertStopped(pool, root);
        pool.close();

        try (PmemPool reopened = PmemPool.open(path, options())) {
            assertThat(reopened.stopReason()).isEmpty();
            long value = reopened.block(root).getLong(0);
            long block = reopened.block(root).getLong(8);
            // Atomic: the whole transaction or none of it (whole: its commit point was stored
            // before the write-back failed, as a database COMMIT cut by a lost connection may be).
            if (value == 2) {
                assertThat(block).isNotZero();
                assertThat(reopened.sizeOf(block)).isGreaterThanOrEqualTo(256);
            } else {
                assertThat(value).isEqualTo(1);
                assertThat(block).isZero();
            }
            assertThat(reopened.check().problems()).isEmpty();
            reopened.transaction(t -> t.putLong(root, 3)); // takes changes again
            assertThat(reopened.block(root).getLong(0)).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "{0} of an in-place overwrite")
    @MethodSource("overwriteFailures")
    void anInPlaceOverwriteCutByFailingStorageStopsThePoolAndKeepsOneValue(Failure failure) {
        Path path = dir.resolve("map.pool");
        long root;
        try (PmemPool pool = PmemPool.create(path, options())) {
            root = pool.root(64).handle();
            pool.map("m").put(bytes("key"), bytes("value-1"));
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        PmemMap map = pool.map("m");
        memory[0].arm(failure);
        Throwable thrown = catchThrowable(() -> map.put(bytes("key"), bytes("value-2"))); // same size: in place
        assertThat(memory[0].fired()).isTrue();
        assertThat(thrown).isInstanceOf(PoolStoppedException.class);
        assertStopped(pool, root);
        pool.close();

        try (PmemPool reopened = PmemPool.open(path, options())) {
            // One value whole, never a torn entry; the new one if the commit point was stored.
            assertThat(new String(reopened.map("m").get(bytes("key")), StandardCharsets.UTF_8))
                    .isIn("value-1", "value-2");
            assertClean(reopened);
        }
    }

    @ParameterizedTest(name = "{0} of a large allocation")
    @MethodSource("allocationFailures")
    void anAllocationCutByFailingStorageStopsThePoolAndLeaksNothingAfterReopen(Failure failure) {
        Path path = dir.resolve("alloc.pool");
        long root;
        try (PmemPool pool = PmemPool.create(path, options())) {
            root = pool.root(64).handle();
            pool.map("m").put(bytes("key"), bytes("value-1"));
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        memory[0].arm(failure);
        Throwable thrown = catchThrowable(() -> pool.allocateInto(root + 8, 1 << 20, b -> b.putLong(0, 42)));
        assertThat(memory[0].fired()).isTrue();
        assertThat(thrown).isInstanceOf(PoolStoppedException.class);
        assertStopped(pool, root);
        pool.close();

        try (PmemPool reopened = PmemPool.open(path, options())) {
            long block = reopened.block(root).getLong(8);
            if (block != 0) {
                assertThat(reopened.block(block).getLong(0)).isEqualTo(42);
            }
            assertClean(reopened);
            assertThat(reopened.stats().used()).isLessThan(2L << 20); // the block, at most once
        }
    }

    /**
     * A new key's entry is written and its redo log made durable, and then the log's write-back
     * fails: the pool stops, with that log to be replayed at the next open. A put that came after
     * the stop must not have written its entry into the space the failed put had reserved, or the
     * replay would publish the first key over the second one's bytes.
     */
    @ParameterizedTest(name = "only write-back {0} of a new key's put")
    @ValueSource(ints = {1, 2, 3})
    void nothingIsWrittenAfterTheStopIntoSpaceAFailedCommitHadReserved(int n) {
        Path path = dir.resolve("reuse.pool");
        long root;
        try (PmemPool pool = PmemPool.create(path, options())) {
            root = pool.root(64).handle();
            pool.map("m").put(bytes("key"), bytes("value-1"));
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        PmemMap map = pool.map("m");
        memory[0].arm(new Failure(n, true));
        Throwable thrown = catchThrowable(() -> map.put(bytes("first"), bytes("first-value")));
        assertThat(memory[0].fired()).isTrue();
        assertThat(thrown).isInstanceOf(PoolStoppedException.class);
        // The same size class, now that write-backs work again.
        assertThatThrownBy(() -> map.put(bytes("other"), bytes("other-value")))
                .isInstanceOf(PoolStoppedException.class);
        pool.close();

        try (PmemPool reopened = PmemPool.open(path, options())) {
            PmemMap m = reopened.map("m");
            byte[] first = m.get(bytes("first"));
            if (first != null) {
                assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("first-value");
            }
            assertThat(m.get(bytes("other"))).isNull();
            assertThat(new String(m.get(bytes("key")), StandardCharsets.UTF_8)).isEqualTo("value-1");
            assertClean(reopened);
        }
    }

    /**
     * Every change is refused by the pool itself, whether or not the storage would take it again;
     * reads go on.
     */
    private static void assertStopped(PmemPool pool, long root) {
        assertThat(pool.stopReason()).isPresent();
        PmemMap map = pool.map("m");
        assertThatThrownBy(() -> pool.allocate(64)).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(() -> pool.allocate(1 << 20)).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(pool::begin).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(() -> pool.transaction(tx -> {})).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(() -> map.put(bytes("new-key"), bytes("v"))).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(() -> map.put(bytes("key"), bytes("value-3"))).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(() -> map.remove(bytes("key"))).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(() -> pool.map("another")).isInstanceOf(PoolStoppedException.class);
        assertThatThrownBy(() -> pool.dropMap("m")).isInstanceOf(PoolStoppedException.class);
        assertThat(map.get(bytes("key"))).isNotNull();
        assertThat(map.setExpiry(bytes("key"), System.currentTimeMillis() + 60_000))
                .isFalse();
        assertThat(pool.root(64).getLong(0)).isIn(0L, 1L, 2L);
    }

    private static void assertClean(PmemPool pool) {
        assertThat(pool.check().problems()).isEmpty();
        assertThat(pool.stopReason()).isEmpty();
        pool.map("m").put(bytes("after"), bytes("reopen")); // takes changes again
    }

    @Test
    void everyOpenReportsTheStopUntilItIsAcknowledged() {
        Path path = dir.resolve("mark.pool");
        try (PmemPool pool = PmemPool.create(path, options())) {
            pool.map("m").put(bytes("key"), bytes("value-1"));
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        assertThat(pool.lastRecovery().stoppedWhenLastOpen()).isFalse();
        memory[0].arm(new Failure(1, true));
        assertThatThrownBy(() -> pool.map("m").put(bytes("key"), bytes("value-2")))
                .isInstanceOf(PoolStoppedException.class);
        pool.close();
        // Reported by every open, clean closes or not, until someone acknowledges it.
        PmemPool first = PmemPool.open(path, options());
        assertThat(first.lastRecovery().stoppedWhenLastOpen()).isTrue();
        assertThat(first.lastRecovery().summary()).contains("had stopped taking changes");
        assertThat(first.stopMarked()).isTrue();
        first.close();
        try (PmemPool second = PmemPool.open(path, options())) {
            assertThat(second.lastRecovery().stoppedWhenLastOpen()).isTrue();
            second.acknowledgeStop();
            assertThat(second.stopMarked()).isFalse();
        }
        try (PmemPool third = PmemPool.open(path, options())) {
            assertThat(third.lastRecovery().stoppedWhenLastOpen()).isFalse();
        }
    }

    @Test
    void aPoolThatNeverFailedTakesChangesAndSaysSo() {
        try (PmemPool pool = PmemPool.create(dir.resolve("ok.pool"), options())) {
            pool.allocate(64);
            assertThat(pool.stopReason()).isEmpty();
        }
    }

    @Test
    void aWriteBackFirstFailingAtCloseIsThrownAfterTheFileIsClosed() {
        Path path = dir.resolve("close.pool");
        PmemPool.create(path, options()).close();
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        memory[0].arm(new Failure(1, false));
        assertThatThrownBy(pool::close).isInstanceOf(PoolStoppedException.class);
        assertThat(pool.isClosed()).isTrue();
        PmemPool.open(path, options()).close(); // the file and its lock were let go
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Storage whose write-backs fail as {@code msync} does on an I/O error: from some point on, or once. */
    static final class FailingWriteBack implements PersistentMemory {
        private final PersistentMemory inner;
        private int countdown = -1; // < 0: not armed
        private boolean once;
        private boolean fired;

        FailingWriteBack(PersistentMemory inner) {
            this.inner = inner;
        }

        void arm(Failure failure) {
            countdown = failure.n();
            once = failure.once();
        }

        /** Whether a write-back has failed. */
        boolean fired() {
            return fired;
        }

        @Override
        public boolean persistsInOrder() {
            return inner.persistsInOrder();
        }

        @Override
        public void flush(long offset, long length) {
            if (countdown > 0) {
                countdown--;
                if (countdown == 0) {
                    fired = true;
                    countdown = once ? -1 : 0;
                    fail();
                }
            } else if (countdown == 0) {
                fail();
            }
            inner.flush(offset, length);
        }

        private void fail() {
            // As the mapping answers a failed msync (this decorator sits above it).
            throw ((MappedMemory) inner)
                    .writeBackFailed(new UncheckedIOException(new IOException("Input/output error (simulated)")));
        }

        /** Through this decorator's flush, so that a persist fails as its flush would. */
        @Override
        public void persist(long offset, long length) {
            flush(offset, length);
            drain();
        }

        @Override
        public void drain() {
            inner.drain();
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public void grow(long newSize) throws IOException {
            inner.grow(newSize);
        }

        @Override
        public byte getByte(long offset) {
            return inner.getByte(offset);
        }

        @Override
        public void putByte(long offset, byte value) {
            inner.putByte(offset, value);
        }

        @Override
        public short getShort(long offset) {
            return inner.getShort(offset);
        }

        @Override
        public void putShort(long offset, short value) {
            inner.putShort(offset, value);
        }

        @Override
        public int getInt(long offset) {
            return inner.getInt(offset);
        }

        @Override
        public void putInt(long offset, int value) {
            inner.putInt(offset, value);
        }

        @Override
        public long getLong(long offset) {
            return inner.getLong(offset);
        }

        @Override
        public void putLong(long offset, long value) {
            inner.putLong(offset, value);
        }

        @Override
        public void putLongAtomic(long offset, long value) {
            inner.putLongAtomic(offset, value);
        }

        @Override
        public boolean compareAndSetLong(long offset, long expected, long value) {
            return inner.compareAndSetLong(offset, expected, value);
        }

        @Override
        public long getAndBitwiseOr(long offset, long mask) {
            return inner.getAndBitwiseOr(offset, mask);
        }

        @Override
        public long getAndBitwiseAnd(long offset, long mask) {
            return inner.getAndBitwiseAnd(offset, mask);
        }

        @Override
        public void getBytes(long offset, byte[] target, int targetOffset, int length) {
            inner.getBytes(offset, target, targetOffset, length);
        }

        @Override
        public void putBytes(long offset, byte[] source, int sourceOffset, int length) {
            inner.putBytes(offset, source, sourceOffset, length);
        }

        @Override
        public void copy(long sourceOffset, long targetOffset, long length) {
            inner.copy(sourceOffset, targetOffset, length);
        }

        @Override
        public boolean bytesEqual(long offset, byte[] data) {
            return inner.bytesEqual(offset, data);
        }

        @Override
        public void fill(long offset, long length, byte value) {
            inner.fill(offset, length, value);
        }
    }
}
