package dev.pmemspring.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Constructor;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ForyValueSerializerTest {

    private static final ClassLoader LOADER = ForyValueSerializerTest.class.getClassLoader();
    private final ForyValueSerializer serializer =
            ForyValueSerializer.allowing("dev.pmemspring.cache.**", "evolving.*");

    @TempDir
    Path dir;

    enum Side {
        BUY,
        SELL
    }

    /** Not Serializable: Fory does not need it. */
    static final class Node {
        String name;
        Node next;
        int[] numbers;
    }

    /** A class of a package the list does not name. */
    record Foreign(String secret) {}

    /** A record Fory must build through a method handle (not public). */
    record Hidden(String name) {}

    /** Scalars only: written without reference tracking. */
    public record Flat(long id, String name, int count, Side side) {}

    /** A record Fory builds by its constructor. */
    public record Shown(String name) {}

    /**
     * Serializes another value, through the same serializer and thread, while it is being
     * serialized (Fory calls its {@code writeReplace}), and is stored as a {@link Shown}.
     */
    static final class Nesting implements java.io.Serializable {
        static ForyValueSerializer through;
        static byte[] inner;
        final String name;

        Nesting(String name) {
            this.name = name;
        }

        @java.io.Serial
        Object writeReplace() {
            inner = through.serialize(new Shown("inner of " + name), 3);
            return new Shown(name);
        }
    }

    /** Reads another value, through the same serializer and thread, while it is being read. */
    static final class NestedRead implements java.io.Serializable {
        static ForyValueSerializer through;
        static byte[] stored;
        static Object innerRead;
        final String name;

        NestedRead(String name) {
            this.name = name;
        }

        @java.io.Serial
        Object readResolve() throws Exception {
            innerRead = through.deserialize(stored, 2, stored.length - 2, LOADER);
            return this;
        }
    }

    @Test
    void a_value_read_while_another_is_on_the_same_thread_does_not_disturb_it() throws Exception {
        NestedRead.through = serializer;
        NestedRead.stored = serializer.serialize(new Shown("inner"), 2);
        // The nested read comes between the list's elements: the rest of the list is read after it.
        List<Object> list = new ArrayList<>(List.of(new NestedRead("outer"), new Shown("after")));
        byte[] outer = serializer.serialize(list, 9);
        List<?> back = (List<?>) serializer.deserialize(outer, 9, outer.length - 9, LOADER);
        assertThat(back).hasSize(2);
        assertThat(((NestedRead) back.get(0)).name).isEqualTo("outer");
        assertThat(back.get(1)).isEqualTo(new Shown("after"));
        assertThat(NestedRead.innerRead).isEqualTo(new Shown("inner"));
        // And the thread's reader works again after it.
        assertThat(serializer.deserialize(NestedRead.stored, 2, NestedRead.stored.length - 2, LOADER))
                .isEqualTo(new Shown("inner"));
    }

    @Test
    void a_value_written_after_headroom_reads_back_from_there_and_its_bytes_do_not_depend_on_the_room()
            throws Exception {
        Object value = new Shown("after the room");
        byte[] plain = serializer.serialize(value);
        for (int headroom : new int[] {0, 1, 9}) {
            byte[] roomy = serializer.serialize(value, headroom);
            assertThat(roomy).hasSize(headroom + plain.length);
            assertThat(Arrays.copyOfRange(roomy, 0, headroom)).isEqualTo(new byte[headroom]);
            assertThat(Arrays.copyOfRange(roomy, headroom, roomy.length)).isEqualTo(plain);
            assertThat(serializer.deserialize(roomy, headroom, plain.length, LOADER))
                    .isEqualTo(value);
        }
        // A value larger than the buffer the thread keeps, then a small one: both whole.
        String large = "x".repeat(100_000);
        byte[] big = serializer.serialize(new Shown(large), 9);
        assertThat(serializer.deserialize(big, 9, big.length - 9, LOADER)).isEqualTo(new Shown(large));
        byte[] small = serializer.serialize(value, 9);
        assertThat(Arrays.copyOfRange(small, 9, small.length)).isEqualTo(plain);
        // A virtual thread writes into a buffer of its own each time.
        byte[][] onVirtual = new byte[1][];
        Thread.ofVirtual()
                .start(() -> onVirtual[0] = serializer.serialize(value, 9))
                .join();
        assertThat(onVirtual[0]).isEqualTo(small);
        assertThatThrownBy(() -> serializer.serialize(value, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_value_serialized_while_another_is_on_the_same_thread_does_not_overwrite_it() throws Exception {
        Nesting.through = serializer;
        byte[] outer = serializer.serialize(new Nesting("outer"), 9);
        byte[] inner = Nesting.inner;
        assertThat(serializer.deserialize(inner, 3, inner.length - 3, LOADER)).isEqualTo(new Shown("inner of outer"));
        assertThat(serializer.deserialize(outer, 9, outer.length - 9, LOADER)).isEqualTo(new Shown("outer"));
    }

    @Test
    void a_record_fory_cannot_construct_directly_is_named_once_in_the_log() throws Exception {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(ForyValueSerializer.class.getName());
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(handler);
        try {
            for (String name : List.of("a", "b")) {
                byte[] bytes = serializer.serialize(new Hidden(name));
                assertThat(serializer.deserialize(bytes, LOADER)).isEqualTo(new Hidden(name));
            }
            serializer.serialize(new Shown("c"));
        } finally {
            log.removeHandler(handler);
        }
        assertThat(lines)
                .filteredOn(line -> line.contains(Hidden.class.getName()))
                .singleElement()
                .asString()
                .contains("make the record and its components' types public");
        assertThat(lines).noneMatch(line -> line.contains(Shown.class.getName()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void values_of_every_shape_round_trip() throws Exception {
        Quote quote = new Quote("ACME", new BigDecimal("12.50"));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("quote", quote);
        map.put("again", quote);
        map.put("side", Side.SELL);
        map.put("when", Instant.ofEpochSecond(1_700_000_000L, 5));
        map.put("unit", TimeUnit.SECONDS);
        map.put("array", new Quote[] {quote, null});
        map.put("list", List.of(1, 2L, "three"));

        Map<String, Object> back = (Map<String, Object>) roundTrip(map);

        assertThat(back).containsOnlyKeys(map.keySet());
        assertThat(back.get("quote")).isEqualTo(quote);
        assertThat(back.get("again"))
                .as("one object written twice is one object read")
                .isSameAs(back.get("quote"));
        assertThat(back.get("side")).isSameAs(Side.SELL);
        assertThat(back.get("when")).isEqualTo(map.get("when"));
        assertThat(back.get("unit")).isSameAs(TimeUnit.SECONDS);
        assertThat((Quote[]) back.get("array")).containsExactly(quote, null);
        assertThat(back.get("list")).isEqualTo(List.of(1, 2L, "three"));
    }

    @Test
    void cycles_and_classes_that_are_not_serializable_round_trip() throws Exception {
        Node a = new Node();
        Node b = new Node();
        a.name = "a";
        a.next = b;
        a.numbers = new int[] {1, 2, 3};
        b.name = "b";
        b.next = a;

        Node back = (Node) roundTrip(a);

        assertThat(back.name).isEqualTo("a");
        assertThat(back.numbers).containsExactly(1, 2, 3);
        assertThat(back.next.name).isEqualTo("b");
        assertThat(back.next.next).isSameAs(back);
    }

    @Test
    void a_range_of_a_larger_array_is_read_in_place() throws Exception {
        Quote quote = new Quote("ACME", BigDecimal.TEN);
        byte[] bytes = serializer.serialize(quote);
        byte[] framed = new byte[bytes.length + 20];
        Arrays.fill(framed, (byte) 0x7F);
        System.arraycopy(bytes, 0, framed, 9, bytes.length);
        assertThat(serializer.deserialize(framed, 9, bytes.length, LOADER)).isEqualTo(quote);
        assertThatThrownBy(() -> serializer.deserialize(framed, 9, bytes.length - 3, LOADER))
                .isInstanceOf(Exception.class);
    }

    @Test
    void a_class_the_list_does_not_name_is_refused_on_write_and_on_read() throws Exception {
        ForyValueSerializer strict = ForyValueSerializer.allowing("dev.pmemspring.cache.Quote");
        assertThat(strict.allows(Foreign.class)).isFalse();
        assertThat(strict.allows(Quote[].class)).isTrue();
        assertThat(strict.allows(int[].class)).isTrue();

        // written by a serializer that allows it, read by one that does not: nothing is instantiated
        byte[] hidden = serializer.serialize(new ArrayList<>(List.of(new Foreign("x"))));
        assertThatThrownBy(() -> strict.deserialize(hidden, LOADER))
                .isInstanceOf(Exception.class)
                .hasMessageContaining(Foreign.class.getName());
    }

    @Test
    void a_class_whose_fields_changed_is_refused_not_misread() throws Exception {
        ClassLoader v1 = compile("v1", "package evolving; public record Item(String name, int count) {}");
        ClassLoader v2 = compile("v2", "package evolving; public record Item(String name, int count, long extra) {}");
        ClassLoader v1Again = compile("v1-again", "package evolving; public record Item(String name, int count) {}");
        Object item = newItem(v1, "bolt", 5);
        byte[] bytes = serializer.serialize(item);

        assertThatThrownBy(() -> serializer.deserialize(bytes, v2)).isInstanceOf(Exception.class);
        // the same class compiled again (a restart, or a devtools reload) reads it
        Object back = serializer.deserialize(bytes, v1Again);
        assertThat(back.getClass().getClassLoader()).isSameAs(v1Again);
        assertThat(back).hasToString("Item[name=bolt, count=5]");
    }

    @Test
    void a_class_that_is_gone_is_refused() throws Exception {
        ClassLoader v1 = compile("v1", "package evolving; public record Gone(String name) {}");
        Class<?> gone = v1.loadClass("evolving.Gone");
        byte[] bytes =
                serializer.serialize(gone.getDeclaredConstructor(String.class).newInstance("x"));
        Object back = null;
        try { // read after a restart, by a loader that lacks the class
            back = ForyValueSerializer.allowing("dev.pmemspring.cache.**", "evolving.*")
                    .deserialize(bytes, LOADER);
        } catch (Exception expected) {
        }
        assertThat(back).as("read as %s", back == null ? null : back.getClass()).isNull();
    }

    @Test
    void damaged_bytes_are_an_exception_never_an_error_or_a_hang() {
        // The pool checks every entry's checksum before a serializer sees it; this is the last line.
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("quote", new Quote("ACME", new BigDecimal("12.50")));
        map.put("list", new ArrayList<>(List.of("a", "b", 3, new int[] {1, 2})));
        // written with reference tracking, and without it
        List<byte[]> written =
                List.of(serializer.serialize(map), serializer.serialize(new Flat(7, "bolt", 12, Side.SELL)));
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = written.get(i % 2).clone();
            switch (random.nextInt(3)) {
                case 0 -> bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> {
                    for (int j = 0; j < 4; j++) {
                        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                    }
                }
                default -> bad = Arrays.copyOf(bad, random.nextInt(bad.length));
            }
            try {
                serializer.deserialize(bad, LOADER);
            } catch (Exception expected) {
                // a counted miss in the cache
            }
        }
    }

    @Test
    void a_value_that_can_hold_no_shared_object_is_written_without_reference_tracking() throws Exception {
        Flat flat = new Flat(7, "bolt", 12, Side.SELL);
        byte[] bytes = serializer.serialize(flat);
        assertThat(bytes[0]).isEqualTo(ForyValueSerializer.WITHOUT_REFERENCES);
        assertThat(serializer.deserialize(bytes, LOADER)).isEqualTo(flat);

        byte[] tracked = serializer.serialize(new Quote("ACME", BigDecimal.ONE)); // BigDecimal is not final
        assertThat(tracked[0]).isNotEqualTo(ForyValueSerializer.WITHOUT_REFERENCES);
    }

    @Test
    void a_value_written_before_the_untracked_form_existed_still_reads() throws Exception {
        // Flat(7, "bolt", 12, SELL) as the release before wrote it: with reference tracking, no marker.
        byte[] earlier = HexFormat.of()
                .parseHex("00001d1a040c95d3d84649f1434da10047202a047e53563ce1767f74ae8e3b502e84ec89140168c923d9925"
                        + "3e74ab04ceb8d24440e00000018ff10626f6c74ff01");
        assertThat(serializer.deserialize(earlier, LOADER)).isEqualTo(new Flat(7, "bolt", 12, Side.SELL));
    }

    @Test
    void fory_s_own_first_byte_is_never_the_marker() {
        // What keeps a tracked value from being read as an untracked one.
        for (Object value : List.of(
                new Quote("ACME", BigDecimal.TEN),
                new ArrayList<>(List.of(1, "two")),
                Map.of("k", new Flat(1, "a", 2, Side.BUY)),
                new Node(),
                new Object[] {"x"},
                BigDecimal.ONE)) {
            byte[] bytes = serializer.serialize(value);
            assertThat(bytes[0]).as("%s", value.getClass()).isNotEqualTo(ForyValueSerializer.WITHOUT_REFERENCES);
        }
    }

    @Test
    void values_are_smaller_than_the_default_serializer_s() {
        Quote quote = new Quote("ACME", new BigDecimal("12.50"));
        assertThat(serializer.serialize(quote).length)
                .isLessThan(
                        JdkValueSerializer.allowing("dev.pmemspring.cache.*").serialize(quote).length);
    }

    private Object roundTrip(Object value) throws Exception {
        return serializer.deserialize(serializer.serialize(value), LOADER);
    }

    private static Object newItem(ClassLoader loader, String name, int count) throws Exception {
        Constructor<?> constructor = loader.loadClass("evolving.Item").getDeclaredConstructor(String.class, int.class);
        return constructor.newInstance(name, count);
    }

    /** A loader of its own for one compiled source: the versions of a class across releases. */
    private ClassLoader compile(String version, String source) throws Exception {
        return ClassVersions.compile(dir, version, source);
    }
}
