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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Random operation sequences on a PmemMap and on a ConcurrentHashMap must agree, across reopens. */
class PmemMapModelTest {

    private static final PoolOptions OPTIONS =
            PoolOptions.layout("model").withSize(32L << 20).withDurability(Durability.PROCESS);

    record Op(int kind, int key, int value) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "reopen";
                case 1, 2, 3 -> "put(" + key + "," + value + ")";
                case 4 -> "putIfAbsent(" + key + "," + value + ")";
                case 5 -> "replace(" + key + "," + value + ")";
                case 6 -> "remove(" + key + ")";
                case 7 -> "remove(" + key + "," + value + ")";
                case 8 -> "clear";
                default -> "get(" + key + ")";
            };
        }
    }

    Path dir;

    @BeforeTry
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("pmem-map-model");
    }

    @AfterTry
    void removeDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                        Arbitraries.integers().between(0, 12).edgeCases(c -> c.includeOnly(1)),
                        Arbitraries.integers().between(0, 40),
                        Arbitraries.integers().between(0, 5))
                .as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(200);
    }

    private static byte[] key(int k) {
        return ("key-" + k).getBytes();
    }

    private static byte[] value(int v, int k) {
        // Sizes vary with the value so entries land in several size classes.
        return ByteBuffer.allocate(8 + v * 37).putInt(v).putInt(k).array();
    }

    @Property(tries = 40)
    void agreesWithConcurrentHashMap(@ForAll("ops") List<Op> ops) {
        Path path = dir.resolve("m.pool");
        ConcurrentHashMap<Integer, Integer> model = new ConcurrentHashMap<>();
        PmemPool pool = PmemPool.create(path, OPTIONS);
        try {
            PmemMap map = pool.map("m");
            for (Op op : ops) {
                byte[] k = key(op.key());
                byte[] v = value(op.value(), op.key());
                switch (op.kind()) {
                    case 0 -> {
                        pool.close();
                        pool = PmemPool.open(path, OPTIONS);
                        map = pool.map("m");
                    }
                    case 1, 2, 3 -> {
                        map.put(k, v);
                        model.put(op.key(), op.value());
                    }
                    case 4 -> {
                        byte[] present = map.putIfAbsent(k, v);
                        Integer expected = model.putIfAbsent(op.key(), op.value());
                        assertThat(
                                        present == null
                                                ? null
                                                : ByteBuffer.wrap(present).getInt())
                                .isEqualTo(expected);
                    }
                    case 5 -> assertThat(map.replace(k, v)).isEqualTo(model.replace(op.key(), op.value()) != null);
                    case 6 -> assertThat(map.remove(k)).isEqualTo(model.remove(op.key()) != null);
                    case 7 -> assertThat(map.remove(k, v)).isEqualTo(model.remove(op.key(), op.value()));
                    case 8 -> {
                        map.clear();
                        model.clear();
                    }
                    default -> {
                        byte[] got = map.get(k);
                        Integer expected = model.get(op.key());
                        assertThat(got == null ? null : ByteBuffer.wrap(got).getInt())
                                .isEqualTo(expected);
                    }
                }
                assertThat(map.size()).isEqualTo(model.size());
            }
            Map<Integer, Integer> iterated = new HashMap<>();
            for (PmemMap.Entry e : map) {
                ByteBuffer b = ByteBuffer.wrap(e.value());
                int v = b.getInt();
                iterated.put(b.getInt(), v);
            }
            assertThat(iterated).isEqualTo(model);
        } finally {
            pool.close();
        }
    }
}
