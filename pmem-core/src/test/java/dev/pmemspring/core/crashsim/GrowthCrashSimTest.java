package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.internal.file.PoolLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A growth of the pool under simulated power loss, at every crash point: extending the file,
 * writing the new chunks' header, rewriting header copy B and then A (torn at every word in the
 * random subsets), and the allocation that asked for the space. Every image recovers to a pool of
 * the old size or of the new one, whose file is exactly as long as its header says, with the
 * allocation done or not at all.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GrowthCrashSimTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** Root slots, with every free chunk of the 8 MiB pool taken (slots 5-7), so the next chunk must grow it. */
    private static long fullPool(PmemPool pool) {
        long root = RootSlots.create(pool);
        long size = pool.stats().poolSize();
        for (int slot = 7; slot >= 5 && pool.stats().largestFreeBlock() >= PoolLayout.CHUNK_SIZE; slot--) {
            long bytes = pool.stats().largestFreeBlock() / PoolLayout.CHUNK_SIZE * PoolLayout.CHUNK_SIZE;
            long tag = RootSlots.tagFor(bytes, slot);
            pool.allocateInto(RootSlots.slot(root, slot), bytes, b -> RootSlots.tag(b, bytes, tag));
        }
        assertThat(pool.stats().largestFreeBlock()).isLessThan(PoolLayout.CHUNK_SIZE);
        assertThat(pool.stats().poolSize())
                .as("the set-up must not grow the pool")
                .isEqualTo(size);
        return root;
    }

    /** The image recovered to a size the recording had (the checks' probes may have grown it since: the file follows). */
    private static void sizeMatchesTheFile(CrashSimulator.Recovered<Long> recovered) {
        assertThat(recovered.sizeAtOpen()).isIn(grownSizes(recovered.layout()));
        long size = recovered.pool().stats().poolSize();
        assertThat(size)
                .isEqualTo(recovered.raw().size())
                .isEqualTo(Recording.layoutOf(recovered.raw()).poolSize());
        try {
            assertThat(Files.size(recovered.pool().path())).isEqualTo(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The start size and the sizes one and two growths of 1 MiB (4 chunks) make. */
    private static java.util.List<Long> grownSizes(PoolLayout layout) {
        PoolLayout start = layout.withSize(8 * MIB);
        return java.util.List.of(8 * MIB, start.sizeFor(start.chunkCount() + 4), start.sizeFor(start.chunkCount() + 8));
    }

    @Test
    void aSpanThatGrowsThePool() {
        var report = CrashSimulator.scenario("allocateInto 300 KiB growing the pool by 1 MiB")
                .growsTo(16 * MIB, MIB)
                .setup(GrowthCrashSimTest::fullPool)
                .operation((pool, root, steps) -> {
                    long tag = RootSlots.tagFor(300 * 1024, 1);
                    pool.allocateInto(RootSlots.slot(root, 0), 300 * 1024, b -> RootSlots.tag(b, 300 * 1024, tag));
                })
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .check(GrowthCrashSimTest::sizeMatchesTheFile)
                .explore(Exploration.exhaustive(4))
                .run(dir);
        assertThat(report.images()).isGreaterThan(20);
    }

    @Test
    void aNewRunThatGrowsThePoolTwice() {
        var recorded = CrashSimulator.scenario("allocateInto 1 KiB in a new run, then 800 KiB, each growing the pool")
                .growsTo(16 * MIB, MIB)
                .setup(GrowthCrashSimTest::fullPool)
                .operation((pool, root, steps) -> {
                    long small = RootSlots.tagFor(1024, 2);
                    pool.allocateInto(RootSlots.slot(root, 1), 1024, b -> RootSlots.tag(b, 1024, small));
                    steps.done();
                    long large = RootSlots.tagFor(800 * 1024, 3);
                    pool.allocateInto(RootSlots.slot(root, 2), 800 * 1024, b -> RootSlots.tag(b, 800 * 1024, large));
                })
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .check(GrowthCrashSimTest::sizeMatchesTheFile)
                .explore(Exploration.exhaustive(3));
        var recording = recorded.record(dir);
        assertThat(recording.recording().events().stream().filter(e -> e instanceof Event.Grow))
                .hasSize(2);
        recorded.run(recording, dir);
    }
}
