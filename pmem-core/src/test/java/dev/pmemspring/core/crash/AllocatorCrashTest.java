package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a JVM that allocates and frees with {@code kill -9} at random moments, reopens the pool
 * each time, and proves: recovery completes, no published block is lost, no block is both free and
 * used (the allocator hands out nothing that overlaps a live block), nothing leaked, and every step
 * the child acknowledged before the kill is there.
 */
class AllocatorCrashTest {

    private static final int KILLS = Integer.getInteger("pmem.crash.kills", 50);

    @TempDir
    Path dir;

    @Test
    void survivesKillsAtRandomMoments() throws Exception {
        Path path = dir.resolve("crash.pool");
        PmemPool.create(path, PoolOptions.layout(AllocatorCrashChild.LAYOUT).withSize(64L << 20))
                .close();
        Random random = new Random(20261124);
        Map<Integer, Long> expected = new HashMap<>(); // slot -> handle, as last verified
        for (int kill = 0; kill < KILLS; kill++) {
            Durability durability = kill % 2 == 0 ? Durability.PROCESS : Durability.SYNC;
            List<String> acks;
            try (ChildJvm child = ChildJvm.start(
                    dir,
                    AllocatorCrashChild.class,
                    path.toString(),
                    durability.name(),
                    "2",
                    Long.toString(random.nextLong()))) {
                child.awaitReady();
                Thread.sleep(20 + random.nextInt(250));
                acks = child.kill();
            }
            verify(path, expected, acks, kill);
        }
    }

    static void verify(Path path, Map<Integer, Long> expected, List<String> acks, int kill) {
        Map<Integer, Long> acked = new HashMap<>(expected);
        Map<Integer, Boolean> inFlight = new HashMap<>();
        for (String line : acks) {
            String[] p = line.split(" ");
            int slot = Integer.parseInt(p[1]);
            switch (p[0]) {
                case "B" -> inFlight.put(slot, true);
                case "A" -> {
                    acked.put(slot, Long.parseLong(p[2]));
                    inFlight.remove(slot);
                }
                case "F" -> {
                    acked.put(slot, 0L);
                    inFlight.remove(slot);
                }
                default -> throw new AssertionError("unexpected child output: " + line);
            }
        }
        try (PmemPool pool = PmemPool.open(
                path, PoolOptions.layout(AllocatorCrashChild.LAYOUT).withDurability(Durability.PROCESS))) {
            MemoryBlock root = pool.root(8L * AllocatorCrashChild.SLOTS);
            TreeMap<Long, Long> live = new TreeMap<>();
            expected.clear();
            for (int slot = 0; slot < AllocatorCrashChild.SLOTS; slot++) {
                long handle = root.getLong(8L * slot);
                long ack = acked.getOrDefault(slot, 0L);
                if (!inFlight.containsKey(slot)) {
                    assertThat(handle)
                            .as("kill %d: slot %d holds what the child acknowledged", kill, slot)
                            .isEqualTo(ack);
                }
                expected.put(slot, handle);
                if (handle == 0) {
                    continue;
                }
                MemoryBlock block = pool.block(handle); // throws if the heap thinks the block is free
                assertThat(block.getLong(0))
                        .as("kill %d: slot %d's block start", kill, slot)
                        .isEqualTo(slot);
                assertThat(block.getLong(block.size() - 8))
                        .as("kill %d: slot %d's block end", kill, slot)
                        .isEqualTo(slot ^ 0x5EED);
                live.put(handle, block.size());
            }
            assertThat(pool.check().problems()).as("kill %d: check", kill).isEmpty();
            dev.pmemspring.core.AllocatorTestAccess.assertNoOverlap(live);
            // Nothing leaked: the heap holds exactly the published blocks and the root.
            assertThat(pool.stats().objects())
                    .as("kill %d: allocated objects", kill)
                    .isEqualTo(live.size() + 1);
            // Nothing free is handed out over a live block.
            for (int i = 0; i < 50; i++) {
                long h = pool.allocate(16 + i * 40);
                assertThat(live.floorEntry(h) == null
                                || live.floorEntry(h).getKey()
                                                + live.floorEntry(h).getValue()
                                        <= h)
                        .as("kill %d: fresh block %d overlaps a live one", kill, h)
                        .isTrue();
                pool.free(h);
            }
        }
    }
}
