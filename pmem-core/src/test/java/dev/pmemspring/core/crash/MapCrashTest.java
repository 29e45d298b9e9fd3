package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a JVM doing concurrent puts and removes with {@code kill -9} and proves, after each
 * reopen: every key holds the value last acknowledged for it, or the one in flight, or (if that
 * was a remove) nothing; every entry is whole; no block leaked.
 */
class MapCrashTest {

    private static final int KILLS = Integer.getInteger("pmem.crash.kills", 50) / 2;

    @TempDir
    Path dir;

    @Test
    void putsAndRemovesAreAllOrNothingAcrossKills() throws Exception {
        Path path = dir.resolve("map.pool");
        PmemPool.create(path, PoolOptions.layout(MapCrashChild.LAYOUT).withSize(64L << 20))
                .close();
        Random random = new Random(99);
        Map<Integer, Long> state = new HashMap<>(); // key -> seq of its value, absent = no entry
        for (int kill = 0; kill < KILLS; kill++) {
            Durability durability = kill % 2 == 0 ? Durability.PROCESS : Durability.SYNC;
            List<String> lines;
            try (ChildJvm child = ChildJvm.start(
                    dir, MapCrashChild.class, path.toString(), durability.name(), Long.toString(random.nextLong()))) {
                child.awaitReady();
                Thread.sleep(20 + random.nextInt(300));
                lines = child.kill();
            }
            Map<Integer, Long> inFlight = new HashMap<>();
            for (String line : lines) {
                String[] p = line.split(" ");
                int k = Integer.parseInt(p[1]);
                switch (p[0]) {
                    case "B" -> inFlight.put(k, Long.parseLong(p[2]));
                    case "P" -> {
                        state.put(k, Long.parseLong(p[2]));
                        inFlight.remove(k);
                    }
                    default -> {
                        state.remove(k);
                        inFlight.remove(k);
                    }
                }
            }
            try (PmemPool pool =
                    PmemPool.open(path, PoolOptions.layout(MapCrashChild.LAYOUT).withDurability(Durability.PROCESS))) {
                PmemMap map = pool.map("m");
                long present = 0;
                for (int k = 0; k < MapCrashChild.KEYS; k++) {
                    byte[] v = map.get(MapCrashChild.key(k));
                    Long seq = v == null ? null : ByteBuffer.wrap(v).getLong(4);
                    if (v != null) {
                        assertThat(ByteBuffer.wrap(v).getInt())
                                .as("kill %d: key %d's value names its key", kill, k)
                                .isEqualTo(k);
                        present++;
                    }
                    if (inFlight.containsKey(k)) {
                        // old value, the in-flight put, or nothing if the in-flight op was a remove
                        assertThat(seq == null || seq.equals(state.get(k)) || seq.equals(inFlight.get(k)))
                                .as(
                                        "kill %d: key %d holds %s (acked %s, in flight %s)",
                                        kill, k, seq, state.get(k), inFlight.get(k))
                                .isTrue();
                        if (seq == null) {
                            state.remove(k);
                        } else {
                            state.put(k, seq);
                        }
                    } else {
                        assertThat(seq).as("kill %d: key %d", kill, k).isEqualTo(state.get(k));
                    }
                }
                assertThat(pool.check().problems()).as("kill %d: check", kill).isEmpty();
                assertThat(map.stats().checksumFailures()).isZero();
                assertThat(map.size()).as("kill %d: size", kill).isEqualTo(present);
                // catalogue + map header + one or two tables; everything else is an entry
                assertThat(pool.stats().objects() - present)
                        .as("kill %d: blocks beside entries", kill)
                        .isBetween(3L, 4L);
            }
        }
    }
}
