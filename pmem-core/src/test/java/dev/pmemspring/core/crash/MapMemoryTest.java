package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a map costs: JVM heap (none per entry) and pool bytes per entry beyond key and value. */
class MapMemoryTest {

    @TempDir
    Path dir;

    @Test
    void twoMillionEntriesFitInASixteenMegabyteHeap() throws Exception {
        // With even 16 bytes of JVM heap per entry, 2M entries would need 32 MiB: more than the heap.
        List<String> lines = new ArrayList<>();
        int code;
        try (ChildJvm child = ChildJvm.start(
                dir,
                List.of("-Xmx16m"),
                MapMemoryChild.class,
                dir.resolve("heap.pool").toString(),
                "2000000",
                Long.toString(512L << 20))) {
            code = child.awaitExit(lines);
        }
        assertThat(code).as("child output: %s", lines).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("OK 2000000 "));
    }

    @Test
    void poolBytesPerEntryBeyondKeyAndValue() {
        for (int valueSize : new int[] {100, 1024}) {
            try (PmemPool pool = PmemPool.create(
                    dir.resolve("o" + valueSize + ".pool"),
                    PoolOptions.layout("o").withSize(512L << 20).withDurability(Durability.PROCESS))) {
                PmemMap map = pool.map("m");
                long before = pool.stats().used();
                int n = 100_000;
                for (int i = 0; i < n; i++) {
                    map.put(ByteBuffer.allocate(16).putLong(i).putLong(-i).array(), new byte[valueSize]);
                }
                double overhead = (double) (pool.stats().used() - before) / n - 16 - valueSize;
                System.out.printf("map overhead per entry, 16 B key, %d B value: %.1f bytes%n", valueSize, overhead);
                if (valueSize == 100) {
                    assertThat(overhead).isLessThanOrEqualTo(64);
                } else {
                    // Size-class padding dominates at 1 KiB (classes are 25% apart): reported, bounded.
                    assertThat(overhead).isLessThanOrEqualTo(0.25 * (valueSize + 40) + 40);
                }
            }
        }
    }
}
