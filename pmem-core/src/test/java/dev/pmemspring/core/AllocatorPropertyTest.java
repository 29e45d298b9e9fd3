package dev.pmemspring.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Random allocate/free/reopen sequences against a model of what must be live. */
class AllocatorPropertyTest {

    private static final PoolOptions OPTIONS =
            PoolOptions.layout("prop").withSize(32L << 20).withDurability(Durability.PROCESS);

    /** One step: allocate {@code size} bytes, or free the live block picked by {@code pick}, or reopen. */
    record Step(int kind, int size, int pick) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "reopen";
                case 1, 2, 3 -> "alloc(" + size + ")";
                default -> "free(#" + pick + ")";
            };
        }
    }

    Path dir;

    @BeforeTry
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("pmem-prop");
    }

    @AfterTry
    void removeDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(1, 4096)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(4097, 200_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(200_001, 3_000_000)));
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.integers().between(0, 6),
                        sizes,
                        Arbitraries.integers().between(0, 1_000))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(120);
    }

    @Property(tries = 60)
    void liveBlocksNeverOverlapAndSurviveReopen(@ForAll("steps") List<Step> steps) {
        Path path = dir.resolve("p.pool");
        Map<Long, Long> live = new HashMap<>(); // handle -> usable size
        Map<Long, Byte> fill = new HashMap<>(); // handle -> the byte its block is filled with
        PmemPool pool = PmemPool.create(path, OPTIONS);
        try {
            byte next = 1;
            for (Step s : steps) {
                if (s.kind() == 0) {
                    pool.close();
                    pool = PmemPool.open(path, OPTIONS);
                } else if (s.kind() <= 3 || live.isEmpty()) {
                    long handle;
                    try {
                        byte b = next++;
                        handle = pool.allocate(s.size(), block -> block.fill(0, block.size(), b));
                        fill.put(handle, b);
                    } catch (PoolOutOfMemoryException full) {
                        continue;
                    }
                    long usable = pool.sizeOf(handle);
                    assertThat(usable).isGreaterThanOrEqualTo(s.size());
                    assertThat(live.put(handle, usable))
                            .as("handle handed out twice")
                            .isNull();
                } else {
                    Long handle = live.keySet().stream()
                            .sorted()
                            .skip(s.pick() % live.size())
                            .findFirst()
                            .orElseThrow();
                    pool.free(handle);
                    live.remove(handle);
                    fill.remove(handle);
                }
                PoolStats stats = pool.stats();
                assertThat(stats.objects()).isEqualTo(live.size());
                assertThat(stats.used())
                        .isEqualTo(live.values().stream()
                                .mapToLong(Long::longValue)
                                .sum());
                assertThat(stats.used() + stats.free()).isLessThanOrEqualTo(stats.heapSize());
            }
            AllocatorTest.assertNoOverlap(live);
            pool.close();
            pool = PmemPool.open(path, OPTIONS);
            for (Map.Entry<Long, Long> e : live.entrySet()) {
                MemoryBlock block = pool.block(e.getKey());
                assertThat(block.size()).isEqualTo(e.getValue());
                byte b = fill.get(e.getKey());
                assertThat(block.getByte(0)).isEqualTo(b);
                assertThat(block.getByte(block.size() - 1)).isEqualTo(b);
            }
            assertThat(pool.stats().objects()).isEqualTo(live.size());
        } finally {
            pool.close();
        }
    }
}
