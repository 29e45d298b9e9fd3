package dev.pmemspring.core;

import dev.pmemspring.core.internal.file.PoolHeader;
import dev.pmemspring.core.internal.file.PoolLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A pool created with a maximum size grows its file online, keeps every handle, and never past the maximum. */
class PoolGrowthTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static PoolOptions growable(long size, long max, long step) {
        return PoolOptions.layout("grow")
                .withSize(size)
                .withMaxSize(max)
                .withGrowthStep(step)
                .withDurability(Durability.PROCESS);
    }

    @Test
    void growsWhenFullKeepsEveryBlockAndReopensAtTheNewSize() throws IOException {
        Path path = dir.resolve("g.pool");
        List<Long> handles = new ArrayList<>();
        try (PmemPool pool = PmemPool.create(path, growable(8 * MIB, 64 * MIB, 4 * MIB))) {
            assertThat(pool.stats().poolSize()).isEqualTo(8 * MIB);
            for (int i = 0; i < 8_000; i++) { // 8000 x 4 KiB: about 32 MiB, four times the start
                int n = i;
                handles.add(pool.allocate(4096, b -> b.putLong(0, n)));
            }
            PoolStats stats = pool.stats();
            assertThat(stats.growths()).isGreaterThanOrEqualTo(6);
            assertThat(stats.poolSize()).isBetween(32 * MIB, 64 * MIB);
            assertThat(stats.initialSize()).isEqualTo(8 * MIB);
            assertThat(stats.maxSize()).isEqualTo(64 * MIB);
            assertThat(Files.size(path)).isEqualTo(stats.poolSize());
            assertThat(pool.check().problems()).isEmpty();
        }
        try (PmemPool pool = PmemPool.open(path, growable(8 * MIB, 64 * MIB, 4 * MIB))) {
            for (int i = 0; i < handles.size(); i++) {
                assertThat(pool.block(handles.get(i)).getLong(0)).isEqualTo(i);
            }
            assertThat(pool.stats().poolSize()).isEqualTo(Files.size(path));
            assertThat(pool.info().formatVersion()).isEqualTo("1.1");
            assertThat(pool.check().problems()).isEmpty();
        }
    }

    @Test
    void stopsAtTheMaximumWithAnOrdinaryOutOfMemory() {
        Path path = dir.resolve("max.pool");
        try (PmemPool pool = PmemPool.create(path, growable(8 * MIB, 20 * MIB, 0))) {
            assertThatThrownBy(() -> {
                        for (int i = 0; i < 100_000; i++) {
                            pool.allocate(16 * 1024);
                        }
                    })
                    .isInstanceOf(PoolOutOfMemoryException.class)
                    .hasNoCause();
            PoolLayout max = PoolLayout.of(8 * MIB, 20 * MIB, PoolLayout.DEFAULT_LANES);
            assertThat(pool.stats().poolSize()).isEqualTo(max.sizeFor(max.maxChunkCount()));
            assertThat(pool.stats().poolSize()).isLessThanOrEqualTo(20 * MIB);
            assertThat(pool.check().problems()).isEmpty();
        }
    }

    @Test
    void aBlockLargerThanTheHeapNowGrowsThePoolForIt() {
        try (PmemPool pool = PmemPool.create(dir.resolve("big.pool"), growable(8 * MIB, 128 * MIB, 0))) {
            long handle = pool.allocate(40 * MIB, b -> b.putLong(40 * MIB - 8, 77));
            assertThat(pool.block(handle).getLong(40 * MIB - 8)).isEqualTo(77);
            assertThat(pool.stats().poolSize()).isGreaterThan(40 * MIB);
            assertThatThrownBy(() -> pool.allocate(200 * MIB)).isInstanceOf(PoolOutOfMemoryException.class);
        }
    }

    @Test
    void mapPutsGrowThePoolAndSurviveAReopen() {
        Path path = dir.resolve("map.pool");
        byte[] value = new byte[900];
        try (PmemPool pool = PmemPool.create(path, growable(8 * MIB, 96 * MIB, 0))) {
            PmemMap map = pool.map("m");
            for (int i = 0; i < 40_000; i++) { // about 40 MB of entries
                ByteBuffer.wrap(value).putInt(0, i);
                map.put(("k" + i).getBytes(), value);
            }
            assertThat(pool.stats().growths()).isPositive();
        }
        try (PmemPool pool = PmemPool.open(path, growable(8 * MIB, 96 * MIB, 0))) {
            PmemMap map = pool.map("m");
            assertThat(map.size()).isEqualTo(40_000);
            assertThat(ByteBuffer.wrap(map.get("k39999".getBytes())).getInt()).isEqualTo(39_999);
            assertThat(pool.check().problems()).isEmpty();
        }
    }

    @Test
    void readersAndWritersRunOnWhileThePoolGrows() throws Exception {
        try (PmemPool pool = PmemPool.create(dir.resolve("online.pool"), growable(8 * MIB, 256 * MIB, 2 * MIB))) {
            ConcurrentLinkedQueue<long[]> written = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 200; i++) {
                long h = pool.allocate(1024, b -> b.putLong(0, 5));
                written.add(new long[] {h, 5});
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long mark = 100 + t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 10_000 && failure.get() == null; i++) { // about 80 MB a thread
                            long size = i % 50 == 0 ? 300 * 1024 : 2048;
                            long h = pool.allocate(size, b -> b.putLong(0, mark));
                            written.add(new long[] {h, mark});
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        for (long[] w : written) {
                            if (pool.block(w[0]).getLong(0) != w[1]) {
                                throw new AssertionError("block " + w[0] + " lost its contents");
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            for (Thread t : threads) {
                t.join();
            }
            stop.set(true);
            reader.join();
            assertThat(failure.get()).isNull();
            assertThat(pool.stats().growths()).isGreaterThan(10);
            assertThat(pool.check().problems()).isEmpty();
        }
    }

    @Test
    void aFileLongerThanItsHeaderIsAGrowthCutShortAndIsTrimmed() throws IOException {
        Path path = dir.resolve("cut.pool");
        PmemPool.create(path, growable(8 * MIB, 64 * MIB, 0)).close();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4096), 12 * MIB); // space a cut growth left behind
        }
        try (PmemPool pool = PmemPool.open(path, growable(8 * MIB, 64 * MIB, 0))) {
            assertThat(pool.stats().poolSize()).isEqualTo(8 * MIB);
            assertThat(pool.check().problems()).isEmpty();
        }
        assertThat(Files.size(path)).isEqualTo(8 * MIB);
    }

    @Test
    void aFileLongerThanItsMaximumIsRefused() throws IOException {
        Path path = dir.resolve("long.pool");
        PmemPool.create(path, growable(8 * MIB, 16 * MIB, 0)).close();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4096), 20 * MIB);
        }
        assertThatThrownBy(() -> PmemPool.open(path, growable(8 * MIB, 16 * MIB, 0)))
                .isInstanceOf(PoolCorruptedException.class)
                .hasMessageContaining("at most " + 16 * MIB);
    }

    @Test
    void aFixedPoolDoesNotGrowAndKeepsTheFormatOlderReleasesRead() {
        try (PmemPool pool = PmemPool.create(dir.resolve("fixed.pool"), growable(8 * MIB, 0, 0))) {
            assertThatThrownBy(() -> {
                        for (int i = 0; i < 100_000; i++) {
                            pool.allocate(16 * 1024);
                        }
                    })
                    .isInstanceOf(PoolOutOfMemoryException.class);
            assertThat(pool.stats().poolSize()).isEqualTo(8 * MIB);
            assertThat(pool.stats().maxSize()).isEqualTo(8 * MIB);
            assertThat(pool.stats().growths()).isZero();
        }
    }

    @Test
    void aThreadWithItsInterruptSetGrowsThePoolAndLeavesItWhole() throws Exception {
        Path path = dir.resolve("interrupted.pool");
        PoolOptions options = growable(8 * MIB, 64 * MIB, 4 * MIB).withDurability(Durability.SYNC);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        try (PmemPool pool = PmemPool.create(path, options)) {
            Thread grower = Thread.ofPlatform().start(() -> {
                Thread.currentThread().interrupt(); // a cancelled task, say: I/O on a FileChannel would close it
                try {
                    for (int i = 0; i < 4_000; i++) {
                        pool.allocate(4096);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            grower.join();
            assertThat(failure.get()).isNull();
            assertThat(stillInterrupted).isTrue();
            assertThat(pool.stats().growths()).isPositive();
            assertThat(pool.check().problems()).isEmpty();
        }
        try (PmemPool pool = PmemPool.open(path, options)) {
            assertThat(pool.stats().poolSize()).isEqualTo(Files.size(path)).isGreaterThan(16 * MIB);
        }
    }

    @Test
    void aFormat10PoolOpensWithoutARepairAndKeepsItsHeaderBytes() throws IOException {
        Path path = dir.resolve("old.pool");
        PmemPool.create(path, growable(8 * MIB, 0, 0)).close();
        byte[] old;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer raw = ByteBuffer.allocate(PoolLayout.HEADER_SIZE);
            channel.read(raw, 0);
            PoolHeader h = PoolHeader.decode(raw.array()).header();
            // What a release of format 1.0 wrote: minor 0, nothing at the growth fields.
            old = new PoolHeader(
                            1,
                            0,
                            0,
                            0,
                            h.uuid(),
                            h.layout(),
                            h.poolSize(),
                            h.creationTimeMillis(),
                            h.laneCount(),
                            0,
                            0,
                            0)
                    .encode();
            assertThat(java.util.Arrays.copyOfRange(old, 136, 160)).containsOnly(0);
            channel.write(ByteBuffer.wrap(old), PoolLayout.HEADER_A);
            channel.write(ByteBuffer.wrap(old), PoolLayout.HEADER_B);
        }
        try (PmemPool pool = PmemPool.open(path, growable(8 * MIB, 0, 0))) {
            assertThat(pool.lastRecovery().headerRepaired()).isFalse();
            assertThat(pool.info().formatVersion()).isEqualTo("1.0");
            assertThat(pool.stats().maxSize()).isEqualTo(8 * MIB);
            assertThat(pool.stats().initialSize()).isEqualTo(8 * MIB);
            assertThat(pool.check().problems()).isEmpty();
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer raw = ByteBuffer.allocate(PoolLayout.HEADER_SIZE);
            channel.read(raw, PoolLayout.HEADER_B);
            assertThat(raw.array()).isEqualTo(old);
        }
    }

    @Test
    void anInitialSizeTooSmallForTheMaximumsTableIsRefusedWithTheFix() {
        assertThatThrownBy(() -> PmemPool.create(dir.resolve("tiny.pool"), growable(8 * MIB, 1L << 40, 0)))
                .isInstanceOf(PoolTooSmallException.class)
                .hasMessageContaining("smaller maximum");
    }
}
