package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AllocatorCrashTest} on pools that grow while the child allocates: created at 8 MiB and
 * growing one chunk (256 KiB) at a time, so most kills land among growths. Each reopen must find
 * what the child acknowledged, nothing leaked or doubly used, and a file exactly as long as the
 * pool's header says. A fresh pool every third kill keeps the growths coming.
 */
class GrowthCrashTest {

    private static final int KILLS = Integer.getInteger("pmem.crash.kills", 50) / 2;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void survivesKillsWhileThePoolGrows() throws Exception {
        Random random = new Random(20261207);
        Path path = null;
        Map<Integer, Long> expected = new HashMap<>();
        long growths = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            if (kill % 3 == 0) {
                path = dir.resolve("grow-" + kill + ".pool");
                PmemPool.create(
                                path,
                                PoolOptions.layout(AllocatorCrashChild.LAYOUT)
                                        .withSize(8 * MIB)
                                        .withMaxSize(512 * MIB))
                        .close();
                expected.clear();
            }
            Durability durability = kill % 2 == 0 ? Durability.PROCESS : Durability.SYNC;
            List<String> acks;
            try (ChildJvm child = ChildJvm.start(
                    dir,
                    AllocatorCrashChild.class,
                    path.toString(),
                    durability.name(),
                    "2",
                    Long.toString(random.nextLong()),
                    Long.toString(256 * 1024))) {
                child.awaitReady();
                Thread.sleep(20 + random.nextInt(200));
                acks = child.kill();
            }
            AllocatorCrashTest.verify(path, expected, acks, kill);
            try (PmemPool pool = PmemPool.open(
                    path, PoolOptions.layout(AllocatorCrashChild.LAYOUT).withDurability(Durability.PROCESS))) {
                assertThat(Files.size(path))
                        .as("kill %d: the file is as long as the pool", kill)
                        .isEqualTo(pool.stats().poolSize());
                growths += pool.stats().growths();
            }
        }
        assertThat(growths).as("the children grew their pools").isGreaterThan(KILLS);
    }
}
