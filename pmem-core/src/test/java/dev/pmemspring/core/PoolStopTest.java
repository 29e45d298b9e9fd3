package dev.pmemspring.core;

import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.MemoryDecorator;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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

    @ParameterizedTest(name = "write-backs fail from the {0}th of the commit on")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void aTransactionCutByFailingStorageStopsThePoolAndRecoversWhole(int failFrom) {
        Path path = dir.resolve("tx.pool");
        long root;
        try (PmemPool pool = PmemPool.create(path, options())) {
            MemoryBlock r = pool.root(64);
            root = r.handle();
            pool.transaction(tx -> {
                tx.putLong(root, 1);
                tx.putLong(root + 8, 0);
            });
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        Transaction tx = pool.begin();
        tx.putLong(root, 2);
        long allocated = tx.allocate(256);
        tx.putLong(root + 8, allocated);
        memory[0].arm(failFrom);
        Throwable thrown = catchThrowable(tx::commit);
        tx.abort(); // what a caller's cleanup does; nothing once ended
        boolean committed = thrown == null;
        if (!committed) {
            assertThat(thrown).isInstanceOf(PoolStoppedException.class).hasRootCauseInstanceOf(IOException.class);
            assertThat(thrown.getMessage()).contains("Close the pool and open it again");
            assertThat(pool.stopReason()).isPresent();
            // Every change is refused; reads go on.
            assertThatThrownBy(() -> pool.allocate(64)).isInstanceOf(PoolStoppedException.class);
            assertThatThrownBy(pool::begin).isInstanceOf(PoolStoppedException.class);
            assertThatThrownBy(() -> pool.map("m").put(bytes("k"), bytes("v")))
                    .isInstanceOf(PoolStoppedException.class);
            assertThat(pool.root(64).getLong(0)).isIn(1L, 2L);
        }
        pool.close();

        try (PmemPool reopened = PmemPool.open(path, options())) {
            assertThat(reopened.stopReason()).isEmpty();
            long value = reopened.block(root).getLong(0);
            long block = reopened.block(root).getLong(8);
            // Atomic: the whole transaction or none of it.
            if (value == 2) {
                assertThat(block).isNotZero();
                assertThat(reopened.sizeOf(block)).isGreaterThanOrEqualTo(256);
            } else {
                assertThat(value).isEqualTo(1);
                assertThat(block).isZero();
                assertThat(committed).isFalse();
            }
            assertThat(reopened.check().problems()).isEmpty();
            reopened.transaction(t -> t.putLong(root, 3)); // takes changes again
            assertThat(reopened.block(root).getLong(0)).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "write-backs fail from the {0}th of the overwrite on")
    @ValueSource(ints = {1, 2, 3, 4})
    void anInPlaceOverwriteCutByFailingStorageStopsThePoolAndKeepsOneValue(int failFrom) {
        Path path = dir.resolve("map.pool");
        try (PmemPool pool = PmemPool.create(path, options())) {
            pool.map("m").put(bytes("key"), bytes("value-1"));
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        PmemMap map = pool.map("m");
        memory[0].arm(failFrom);
        Throwable thrown = catchThrowable(() -> map.put(bytes("key"), bytes("value-2"))); // same size: in place
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(PoolStoppedException.class);
            assertThatThrownBy(() -> map.put(bytes("other"), bytes("x"))).isInstanceOf(PoolStoppedException.class);
            assertThatThrownBy(() -> map.remove(bytes("key"))).isInstanceOf(PoolStoppedException.class);
        }
        pool.close();

        try (PmemPool reopened = PmemPool.open(path, options())) {
            byte[] value = reopened.map("m").get(bytes("key"));
            assertThat(value).isNotNull();
            // One value whole, never a torn entry. Which one: a failure after the commit point's
            // store (its write-back) leaves the new value, as a failed database COMMIT may.
            assertThat(new String(value, StandardCharsets.UTF_8)).isIn("value-1", "value-2");
            assertThat(reopened.map("m").get(bytes("other"))).isNull();
            assertThat(reopened.check().problems()).isEmpty();
        }
    }

    @ParameterizedTest(name = "write-backs fail from the {0}th of the allocation on")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void anAllocationCutByFailingStorageStopsThePoolAndLeaksNothingAfterReopen(int failFrom) {
        Path path = dir.resolve("alloc.pool");
        long root;
        try (PmemPool pool = PmemPool.create(path, options())) {
            root = pool.root(64).handle();
        }
        FailingWriteBack[] memory = new FailingWriteBack[1];
        PmemPool pool = openFailing(path, memory);
        memory[0].arm(failFrom);
        Throwable thrown = catchThrowable(() -> pool.allocateInto(root, 1 << 20, b -> b.putLong(0, 42)));
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(PoolStoppedException.class);
            assertThatThrownBy(() -> pool.free(root)).isInstanceOf(PoolStoppedException.class);
        }
        pool.close();

        try (PmemPool reopened = PmemPool.open(path, options())) {
            long block = reopened.block(root).getLong(0);
            if (block != 0) {
                assertThat(reopened.block(block).getLong(0)).isEqualTo(42);
            }
            assertThat(reopened.check().problems()).isEmpty();
            assertThat(reopened.stats().used()).isLessThan(2L << 20); // the block, at most once
        }
    }

    @Test
    void aPoolThatNeverFailedTakesChangesAndSaysSo() {
        try (PmemPool pool = PmemPool.create(dir.resolve("ok.pool"), options())) {
            pool.allocate(64);
            assertThat(pool.stopReason()).isEmpty();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Storage whose write-backs fail, as {@code msync} does on an I/O error, from some point on. */
    static final class FailingWriteBack implements PersistentMemory {
        private final PersistentMemory inner;
        private int countdown = -1; // < 0: not armed

        FailingWriteBack(PersistentMemory inner) {
            this.inner = inner;
        }

        /** Fails the {@code n}-th flush from now (1: the next) and every one after it. */
        void arm(int n) {
            countdown = n;
        }

        @Override
        public void flush(long offset, long length) {
            if (countdown > 0 && --countdown == 0 || countdown == 0) {
                countdown = 0;
                // As the mapping answers a failed msync (this decorator sits above it).
                throw ((MappedMemory) inner)
                        .writeBackFailed(new UncheckedIOException(new IOException("Input/output error (simulated)")));
            }
            inner.flush(offset, length);
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
