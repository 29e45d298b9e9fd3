package dev.pmemspring.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllocatorTest {

    private static final long MIB = 1 << 20;
    private static final long CHUNK = 256 * 1024;

    @TempDir
    Path dir;

    PmemPool pool;

    @BeforeEach
    void open() {
        pool = PmemPool.create(
                dir.resolve("alloc.pool"),
                PoolOptions.layout("alloc").withSize(64 * MIB).withDurability(Durability.PROCESS));
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @ParameterizedTest
    @ValueSource(
            longs = {
                1,
                15,
                16,
                17,
                64,
                100,
                129,
                1000,
                4096,
                5000,
                65536,
                128 * 1024,
                128 * 1024 + 1,
                1 << 20,
                3 * MIB + 5
            })
    void blocksHoldAtLeastTheirSizeWithBoundedPadding(long size) {
        long handle = pool.allocate(size);
        long usable = pool.sizeOf(handle);
        assertThat(usable).isGreaterThanOrEqualTo(size);
        if (size > 128 && size <= 128 * 1024) {
            assertThat(usable).isLessThanOrEqualTo(size + size / 8); // eight classes per doubling
        } else if (size > 128 * 1024) {
            assertThat(usable - size).isLessThan(CHUNK); // whole chunks
        }
        MemoryBlock block = pool.block(handle);
        block.fill(0, usable, (byte) 7);
        assertThat(block.getByte(usable - 1)).isEqualTo((byte) 7);
        pool.free(handle);
    }

    @Test
    void blockAccessIsCheckedAgainstTheBlockNotThePool() {
        MemoryBlock block = pool.block(pool.allocate(64));
        block.putLong(56, 1);
        assertThatThrownBy(() -> block.putLong(57, 1))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("outside the block of 64 bytes");
        assertThatThrownBy(() -> block.getByte(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> block.putBytes(60, new byte[8])).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> block.fieldHandle(64)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void typedAccessRoundTrips() {
        MemoryBlock block = pool.block(pool.allocate(64));
        block.putByte(0, (byte) -3);
        block.putShort(1, (short) 0x1234);
        block.putInt(3, 0xCAFEBABE);
        block.putLong(7, Long.MIN_VALUE + 5);
        block.putBytes(20, new byte[] {1, 2, 3});
        MemoryBlock other = pool.block(pool.allocate(64));
        other.copyFrom(block, 0, 0, 23);
        assertThat(other.getByte(0)).isEqualTo((byte) -3);
        assertThat(other.getShort(1)).isEqualTo((short) 0x1234);
        assertThat(other.getInt(3)).isEqualTo(0xCAFEBABE);
        assertThat(other.getLong(7)).isEqualTo(Long.MIN_VALUE + 5);
        assertThat(other.getBytes(20, 3)).containsExactly(1, 2, 3);
    }

    @Test
    void freeRejectsWhatIsNotALiveBlock() {
        long handle = pool.allocate(100);
        assertThatThrownBy(() -> pool.free(handle + 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not the start of an allocated block");
        pool.free(handle);
        assertThatThrownBy(() -> pool.free(handle)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.free(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.sizeOf(handle)).isInstanceOf(IllegalArgumentException.class);
        long large = pool.allocate(2 * MIB);
        assertThatThrownBy(() -> pool.free(large + CHUNK)).isInstanceOf(IllegalArgumentException.class);
        pool.free(large);
        assertThatThrownBy(() -> pool.free(large)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outOfMemoryIsAnExceptionWithTheNumbersAndThePoolStaysUsable() {
        List<Long> held = new ArrayList<>();
        assertThatThrownBy(() -> {
                    while (true) {
                        held.add(pool.allocate(MIB));
                    }
                })
                .isInstanceOfSatisfying(PoolOutOfMemoryException.class, e -> {
                    assertThat(e.requested()).isEqualTo(MIB);
                    assertThat(e.largestFreeBlock()).isLessThan(MIB);
                    assertThat(e.getMessage())
                            .contains("cannot allocate 1048576 bytes")
                            .contains("larger pool");
                });
        assertThatThrownBy(() -> pool.allocate(1L << 40)).isInstanceOf(PoolOutOfMemoryException.class);
        long small = pool.allocate(64); // runs still have room, or the tail chunk does
        pool.free(small);
        held.forEach(pool::free);
        assertThat(pool.stats().objects()).isZero();
    }

    @Test
    void freedChunksCoalesceSoTheWholeHeapCanBeTakenAgain() {
        long heap = pool.stats().heapSize();
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < heap / CHUNK; i++) {
            blocks.add(pool.allocate(CHUNK));
        }
        assertThat(pool.stats().free()).isZero();
        Collections.shuffle(blocks, new Random(1));
        blocks.forEach(pool::free);
        assertThat(pool.stats().largestFreeBlock()).isEqualTo(heap);
        long all = pool.allocate(heap);
        assertThat(pool.sizeOf(all)).isEqualTo(heap);
        pool.free(all);
    }

    @Test
    void emptyRunsGoBackToFreeChunksWhenChunksRunOut() {
        List<Long> small = new ArrayList<>();
        try {
            while (true) {
                small.add(pool.allocate(100 + small.size() % 3 * 300)); // three size classes
            }
        } catch (PoolOutOfMemoryException full) {
            // every chunk is a run now
        }
        assertThat(pool.stats().largestFreeBlock()).isLessThan(CHUNK);
        small.forEach(pool::free);
        // All runs are empty; all but the ones arenas hold as current return to the chunks (those
        // few may sit anywhere, so ask for half the heap: before reclaiming, not one chunk was free).
        long big = pool.allocate(pool.stats().heapSize() / 2);
        // This thread freed a unit of each class last, in runs that are chunks of `big` now: it
        // must not get them back.
        for (long size : new long[] {100, 400, 700}) {
            long after = pool.allocate(size);
            assertThat(after + pool.sizeOf(after) <= big || after >= big + pool.sizeOf(big))
                    .as("block of %d at %d inside the big block at %d", size, after, big)
                    .isTrue();
            pool.free(after);
        }
        pool.free(big);
        small.clear();
        for (int i = 0; i < 1000; i++) {
            small.add(pool.allocate(2000)); // a class that never had a run reuses the space
        }
        small.forEach(pool::free);
    }

    @Test
    void aThreadGetsBackTheBlockItFreedLast() throws Exception {
        long a = pool.allocate(100);
        long b = pool.allocate(100);
        pool.free(a);
        pool.free(b);
        // the lowest free unit would be a; b was freed last, so it is still in the CPU cache
        assertThat(pool.allocate(100)).isEqualTo(b);
        pool.free(b);
        long other = java.util.concurrent.CompletableFuture.supplyAsync(() -> pool.allocate(100))
                .get();
        assertThat(other)
                .as("another thread's freed unit is not this one's to take first")
                .isNotEqualTo(b);
        assertThat(pool.allocate(4000)).as("another size class").isNotEqualTo(b);
        assertThat(pool.allocate(100)).isEqualTo(b);
    }

    @Test
    void coalescedFreeSpaceSurvivesReopen() {
        Path path = pool.path();
        long heap = pool.stats().heapSize();
        long a = pool.allocate(3 * CHUNK);
        long b = pool.allocate(5 * CHUNK);
        long c = pool.allocate(2 * CHUNK);
        pool.free(a);
        pool.free(c);
        pool.free(b); // merges with both neighbours
        pool.close();
        pool = PmemPool.open(path, PoolOptions.layout("alloc").withDurability(Durability.PROCESS));
        assertThat(pool.stats().largestFreeBlock()).isEqualTo(heap);
    }

    @Test
    void statsFollowAllocations() {
        PoolStats empty = pool.stats();
        assertThat(empty.used()).isZero();
        assertThat(empty.objects()).isZero();
        assertThat(empty.poolSize()).isEqualTo(64 * MIB);
        long a = pool.allocate(100); // 112-byte class
        long b = pool.allocate(MIB);
        PoolStats s = pool.stats();
        assertThat(s.objects()).isEqualTo(2);
        assertThat(s.used()).isEqualTo(112 + MIB);
        assertThat(s.used() + s.free()).isLessThanOrEqualTo(s.heapSize());
        pool.free(a);
        pool.free(b);
        assertThat(pool.stats().used()).isZero();
    }

    @Test
    void publishingAndUnpublishingAreTiedToTheField() {
        MemoryBlock root = pool.root(16);
        long handle = pool.allocateInto(root.fieldHandle(0), 48, b -> b.putLong(0, 99));
        assertThat(root.getLong(0)).isEqualTo(handle);
        assertThat(pool.block(handle).getLong(0)).isEqualTo(99);
        pool.freeFrom(root.fieldHandle(0));
        assertThat(root.getLong(0)).isZero();
        assertThat(pool.stats().objects()).isEqualTo(1); // the root
        pool.freeFrom(root.fieldHandle(0)); // already empty: nothing to do
        assertThatThrownBy(() -> pool.allocateInto(3, 8, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fieldHandle");
    }

    @Test
    void aFailingInitializerLeavesNoBlockBehind() {
        MemoryBlock root = pool.root(8);
        assertThatThrownBy(() -> pool.allocateInto(root.fieldHandle(0), 64, b -> {
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");
        assertThatThrownBy(() -> pool.allocate(3 * MIB, b -> {
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");
        assertThat(root.getLong(0)).isZero();
        assertThat(pool.stats().objects()).isEqualTo(1);
        assertThat(pool.stats().largestFreeBlock()).isGreaterThan(60 * MIB);
    }

    @Test
    void rootIsZeroedAndGrowsKeepingItsContents() {
        assertThat(pool.rootSize()).isZero();
        MemoryBlock root = pool.root(32);
        assertThat(root.getLong(24)).isZero();
        root.putLong(0, 11);
        root.putLong(24, 12);
        assertThat(pool.root(16).handle()).isEqualTo(root.handle());
        MemoryBlock grown = pool.root(4096);
        assertThat(grown.size()).isEqualTo(4096);
        assertThat(grown.getLong(0)).isEqualTo(11);
        assertThat(grown.getLong(24)).isEqualTo(12);
        assertThat(grown.getLong(4088)).isZero();
        assertThat(pool.rootSize()).isEqualTo(4096);
        assertThat(pool.stats().objects()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void threadsAllocateAndFreeConcurrentlyWithoutOverlap(Durability durability) throws Exception {
        pool.close();
        pool = PmemPool.create(
                dir.resolve("mt-" + durability + ".pool"),
                PoolOptions.layout("alloc").withSize(64 * MIB).withDurability(durability));
        int threads = 4;
        ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            futures.add(exec.submit(() -> {
                Random random = new Random(seed);
                List<Long> mine = new ArrayList<>();
                start.await();
                for (int i = 0; i < (durability == Durability.SYNC ? 500 : 5000); i++) {
                    if (mine.isEmpty() || random.nextBoolean()) {
                        long size = random.nextInt(20) == 0 ? 300_000 : 1 + random.nextInt(2000);
                        long h = pool.allocate(size);
                        MemoryBlock b = pool.block(h);
                        b.putLong(0, h);
                        assertThat(live.put(h, size)).isNull();
                        mine.add(h);
                    } else {
                        long h = mine.remove(random.nextInt(mine.size()));
                        assertThat(pool.block(h).getLong(0)).isEqualTo(h); // nobody else wrote into it
                        live.remove(h);
                        pool.free(h);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        exec.shutdown();
        assertThat(pool.stats().objects()).isEqualTo(live.size());
        assertNoOverlap(live);
    }

    static void assertNoOverlap(java.util.Map<Long, Long> blocks) {
        List<Long> starts = new ArrayList<>(blocks.keySet());
        Collections.sort(starts);
        for (int i = 1; i < starts.size(); i++) {
            long prev = starts.get(i - 1);
            assertThat(prev + blocks.get(prev))
                    .as("block at %d overlaps the next", prev)
                    .isLessThanOrEqualTo(starts.get(i));
        }
    }
}
