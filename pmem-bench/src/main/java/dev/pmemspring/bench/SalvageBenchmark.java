package dev.pmemspring.bench;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MapStats;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolOutOfMemoryException;
import dev.pmemspring.core.internal.file.PoolLayout;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The time to come back after a machine crash: open a pool full of map entries and open its map,
 * once on a clean image and once on an image a machine crash cut in {@code process} durability
 * with {@code tornPercent} of its data pages torn (zeroed: a page the kernel never wrote back).
 * The torn open is a salvage: every entry is verified, those that fail are dropped, the stripe
 * counters recounted.
 *
 * <p>The trial fills the pool once ({@code poolMiB}, entries of 16-byte keys and 1000-byte values
 * until about 80% of it is used) and closes it; each shot works on a fresh copy of that file
 * (made, and torn, before the shot, untimed). Only the chunks' data is torn, never the chunk
 * header table (torn there, the pool cannot be opened: the Boot starter then starts cold) nor a
 * chunk's first page (a run's header and bitmap: zeroed, the run is quarantined, its space left
 * unused), so the shot times the map's salvage.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class SalvageBenchmark extends PoolBenchmarkState {

    static final String MAP = "bench";
    static final int VALUE_SIZE = 1000;
    static final PoolOptions OPTIONS = PoolOptions.layout("bench-salvage").withDurability(Durability.PROCESS);

    @Param({"1024"})
    public int poolMiB;

    /** {@code clean}: a pool closed cleanly; {@code torn}: cut by a machine crash, pages torn. */
    @Param({"clean", "torn"})
    public String image;

    @Param({"1"})
    public int tornPercent;

    private Path shotFile;
    private MapStats stats;
    private long entries;
    private long shot;

    /**
     * Per shot: entries the salvage dropped (they failed to verify), kept, and lost (their slot
     * was on a torn page of a slot table, so nothing pointed at them any more).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Salvage {
        public long dropped;
        public long kept;
        public long lost;
    }

    @Override
    protected String poolName() {
        return "salvage";
    }

    @Override
    protected PmemPool preparePool(Path path) {
        quietPoolOpens();
        byte[] value = MapWorkload.value(VALUE_SIZE, 3);
        try (PmemPool filling = PmemPool.create(path, OPTIONS.withSize((long) poolMiB << 20))) {
            PmemMap map = filling.map(MAP);
            long budget = filling.stats().heapSize() * 8 / 10;
            try {
                for (long i = 0; map.stats().bytes() < budget || i % 1024 != 0; i++) {
                    map.put(MapWorkload.key(i, MapWorkload.PRELOADED), value);
                }
            } catch (PoolOutOfMemoryException full) {
                // full before 80%: as full as it gets
            }
            entries = map.size();
        }
        return null;
    }

    /** Untimed: a fresh copy of the filled pool, cut and torn for the torn image. */
    @Setup(Level.Invocation)
    public void copyImage() throws IOException {
        shotFile = path.resolveSibling(path.getFileName() + ".shot");
        Files.copy(path, shotFile, StandardCopyOption.REPLACE_EXISTING);
        if (image.equals("torn")) {
            tear(shotFile, new SplittableRandom(shot));
        }
        shot++;
    }

    @Benchmark
    public MapStats openAndSalvage(Salvage salvage) {
        pool = PmemPool.open(shotFile, OPTIONS.withAcceptUnsafeShutdown(true));
        stats = pool.map(MAP).stats();
        salvage.dropped = stats.salvageDropped();
        salvage.kept = stats.entries();
        salvage.lost = entries - stats.entries() - stats.salvageDropped();
        return stats;
    }

    /** Untimed: the shot saw the image it was given; the copy goes. */
    @TearDown(Level.Invocation)
    public void check() throws IOException {
        try {
            boolean cut = pool.lastRecovery().unsafeShutdown();
            if (cut != image.equals("torn")) {
                throw new IllegalStateException("the " + image + " image opened with unsafeShutdown=" + cut);
            }
            // A torn slot-table page forgets its entries (they are not counted as dropped): at most all.
            if (stats.entries() + stats.salvageDropped() > entries
                    || (image.equals("clean") && stats.entries() != entries)) {
                throw new IllegalStateException(
                        "kept " + stats.entries() + " + dropped " + stats.salvageDropped() + " entries of " + entries);
            }
            if (image.equals("torn") && stats.salvageDropped() == 0) {
                throw new IllegalStateException("the torn image dropped no entry");
            }
        } finally {
            pool.close();
            pool = null;
            Files.deleteIfExists(shotFile);
        }
    }

    /** Leaves the mark of a machine crash in process mode, and zeroes tornPercent% of the data pages. */
    private void tear(Path file, SplittableRandom random) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long otherBoot = 0x5EED_CAFE_F00D_0000L; // a boot hash that is not this boot's
            ch.write(
                    ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, otherBoot | 2),
                    PoolLayout.SHUTDOWN_STATE);
            PoolLayout layout = PoolLayout.of(ch.size(), PoolLayout.DEFAULT_LANES);
            long pagesPerChunk = PoolLayout.CHUNK_SIZE / PoolLayout.PAGE;
            long pages = layout.chunkCount() * pagesPerChunk;
            long torn = pages * tornPercent / 100;
            ByteBuffer zeros = ByteBuffer.allocate(PoolLayout.PAGE);
            for (long t = 0; t < torn; t++) {
                long page = random.nextLong(pages);
                if (page % pagesPerChunk == 0) {
                    page++; // the chunk's first page holds its run's header and bitmap
                }
                ch.write(zeros.clear(), layout.chunkDataOffset() + page * PoolLayout.PAGE);
            }
        }
    }
}
