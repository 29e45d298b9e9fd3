package dev.pmemspring.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInput;
import java.io.ObjectInputStream;
import java.io.ObjectOutput;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.lang.reflect.Constructor;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdkValueSerializerTest {

    private static final ClassLoader LOADER = JdkValueSerializerTest.class.getClassLoader();
    private final JdkValueSerializer serializer = JdkValueSerializer.allowing("dev.pmemspring.cache.**", "evolving.*");

    @TempDir
    Path dir;

    enum Side {
        BUY,
        SELL
    }

    /** Serializable superclass with a field of its own. */
    static class Base implements Serializable {
        @Serial
        private static final long serialVersionUID = 7L;

        int baseField;
    }

    static final class Derived extends Base {
        @Serial
        private static final long serialVersionUID = 8L;

        String name;
        Derived self; // a cycle
        transient String notKept = "gone";
        int[] numbers;
    }

    /** Writes a field of its own making, and skips another. */
    static final class Custom implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        transient String text;
        int count;

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeUTF(text.toUpperCase());
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            text = in.readUTF();
        }
    }

    public static final class External implements Externalizable {
        long value;

        public External() {}

        External(long value) {
            this.value = value;
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            out.writeLong(value);
        }

        @Override
        public void readExternal(ObjectInput in) throws IOException {
            value = in.readLong();
        }
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
        map.put("type", Quote.class);
        map.put("primitive", int.class);

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
        assertThat(back.get("type")).isSameAs(Quote.class);
        assertThat(back.get("primitive")).isSameAs(int.class);
    }

    @Test
    void class_hierarchies_cycles_and_custom_serialization_round_trip() throws Exception {
        Derived derived = new Derived();
        derived.baseField = 42;
        derived.name = "d";
        derived.self = derived;
        derived.numbers = new int[] {1, 2, 3};
        Custom custom = new Custom();
        custom.text = "shout";
        custom.count = 3;

        List<Object> back = cast(roundTrip(new ArrayList<>(List.of(derived, custom, new External(99)))));

        Derived d = (Derived) back.get(0);
        assertThat(d.baseField).isEqualTo(42);
        assertThat(d.name).isEqualTo("d");
        assertThat(d.self).isSameAs(d);
        assertThat(d.notKept).isNull();
        assertThat(d.numbers).containsExactly(1, 2, 3);
        Custom c = (Custom) back.get(1);
        assertThat(c.text).isEqualTo("SHOUT");
        assertThat(c.count).isEqualTo(3);
        assertThat(((External) back.get(2)).value).isEqualTo(99);
    }

    @Test
    void values_are_smaller_than_the_jdk_stream() throws Exception {
        Quote quote = new Quote("ACME", new BigDecimal("12.50"));
        ByteArrayOutputStream jdk = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(jdk)) {
            out.writeObject(quote);
        }
        assertThat(serializer.serialize(quote).length).isLessThan(jdk.size() * 2 / 3);
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
                .isInstanceOf(IOException.class);
    }

    @Test
    void graphs_past_the_limits_are_refused() throws Exception {
        List<Object> deep = new ArrayList<>();
        List<Object> inner = deep;
        for (int i = 0; i < 70; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        byte[] tooDeep = serializer.serialize(deep);
        assertThatThrownBy(() -> serializer.deserialize(tooDeep, LOADER)).isInstanceOf(InvalidClassException.class);
        byte[] tooLong = serializer.serialize(new byte[1_000_001]);
        assertThatThrownBy(() -> serializer.deserialize(tooLong, LOADER)).isInstanceOf(InvalidClassException.class);
        assertThat((byte[]) serializer.deserialize(serializer.serialize(new byte[1_000_000]), LOADER))
                .hasSize(1_000_000);
    }

    @Test
    void a_plain_jdk_stream_is_not_read_as_a_value() throws Exception {
        ByteArrayOutputStream jdk = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(jdk)) {
            out.writeObject(new Quote("ACME", BigDecimal.ONE));
        }
        assertThatThrownBy(() -> serializer.deserialize(jdk.toByteArray(), LOADER))
                .isInstanceOf(StreamCorruptedException.class)
                .hasMessageContaining("not a value this serializer wrote");
    }

    @Test
    void a_class_whose_fields_changed_is_refused_not_misread() throws Exception {
        ClassLoader v1 = compile(
                "v1",
                "package evolving; public record Item(String name, int count)" + " implements java.io.Serializable {}");
        ClassLoader v2 = compile(
                "v2",
                "package evolving; public record Item(String name, int count, long extra)"
                        + " implements java.io.Serializable {}");
        ClassLoader v1Again = compile(
                "v1-again",
                "package evolving; public record Item(String name, int count)" + " implements java.io.Serializable {}");
        Object item = newItem(v1, "bolt", 5);
        byte[] bytes = serializer.serialize(item);

        assertThatThrownBy(() -> serializer.deserialize(bytes, v2))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("evolving.Item")
                .hasMessageContaining("changed");
        // the same class compiled again (a restart, or a devtools reload) reads it
        Object back = serializer.deserialize(bytes, v1Again);
        assertThat(back.getClass().getClassLoader()).isSameAs(v1Again);
        assertThat(back).hasToString("Item[name=bolt, count=5]");
    }

    @Test
    void a_class_that_is_gone_is_refused() throws Exception {
        ClassLoader v1 =
                compile("v1", "package evolving; public record Gone(String name) implements java.io.Serializable {}");
        Class<?> gone = v1.loadClass("evolving.Gone");
        byte[] bytes =
                serializer.serialize(gone.getDeclaredConstructor(String.class).newInstance("x"));
        assertThatThrownBy(() -> serializer.deserialize(bytes, LOADER))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("no such class")
                .hasRootCauseInstanceOf(ClassNotFoundException.class);
    }

    private Object roundTrip(Object value) throws Exception {
        return serializer.deserialize(serializer.serialize(value), LOADER);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
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
