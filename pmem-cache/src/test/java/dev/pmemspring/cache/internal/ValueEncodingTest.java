package dev.pmemspring.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.cache.ForyValueSerializer;

import java.util.List;

import org.junit.jupiter.api.Test;

class ValueEncodingTest {

    private final ForyValueSerializer fory = ForyValueSerializer.standard();

    @Test
    void aDeadlineIsMovedAddedAndDroppedWithoutTouchingTheValue() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        for (Object value : List.<Object>of("text", 42L, new java.util.ArrayList<>(List.of("a", "b")))) {
            byte[] none = ValueEncoding.encode(value, 0, fory);
            byte[] at = ValueEncoding.withDeadline(none, 1_234_567L);
            assertThat(ValueEncoding.deadline(at, at.length)).isEqualTo(1_234_567L);
            assertThat(ValueEncoding.decode(at, fory, loader).value()).isEqualTo(value);
            assertThat(at).isEqualTo(ValueEncoding.encode(value, 1_234_567L, fory));

            byte[] moved = ValueEncoding.withDeadline(at, 9_999_999L);
            assertThat(ValueEncoding.deadline(moved, moved.length)).isEqualTo(9_999_999L);
            assertThat(ValueEncoding.decode(moved, fory, loader).value()).isEqualTo(value);

            byte[] dropped = ValueEncoding.withDeadline(moved, 0);
            assertThat(dropped).isEqualTo(none);
        }
    }

    @Test
    void aValueIsReadWhereverItLiesInTheArray() throws Exception {
        // as a pool read leaves it: after the entry's header and key, before stale bytes
        ClassLoader loader = getClass().getClassLoader();
        List<Object> values = List.of(
                org.springframework.cache.support.NullValue.INSTANCE,
                "text",
                42L,
                7,
                2.5,
                true,
                new java.util.ArrayList<>(List.of("a", "b")));
        for (Object value : values) {
            for (long deadline : new long[] {0, 1_234_567L}) {
                byte[] stored = ValueEncoding.encode(value, deadline, fory);
                byte[] around = new byte[stored.length + 40];
                java.util.Arrays.fill(around, (byte) 0x5A);
                System.arraycopy(stored, 0, around, 29, stored.length);
                ValueEncoding.Decoded d = ValueEncoding.decode(around, 29, stored.length, -1, fory, loader);
                assertThat(d.value()).isEqualTo(value);
                assertThat(d.expiresAt()).isEqualTo(deadline);
                assertThat(d.storedSize()).isEqualTo(stored.length);
                assertThat(ValueEncoding.deadline(around, 29, stored.length)).isEqualTo(deadline);
            }
        }
        byte[] bytes = {1, 2, 3};
        byte[] stored = ValueEncoding.encode(bytes, 0, fory);
        byte[] around = new byte[stored.length + 10];
        System.arraycopy(stored, 0, around, 5, stored.length);
        assertThat((byte[]) ValueEncoding.decode(around, 5, stored.length, -1, fory, loader)
                        .value())
                .isEqualTo(bytes);
    }

    @Test
    void theSerializersRefusalIsKnownBeforeEncoding() {
        assertThat(ValueEncoding.refuses("s", fory)).isFalse();
        assertThat(ValueEncoding.refuses(new java.util.ArrayList<>(), fory)).isFalse();
        assertThat(ValueEncoding.refuses(new StringBuilder("not allowed"), fory))
                .isFalse(); // java.lang.*
        assertThat(ValueEncoding.refuses(new ValueEncodingTest(), fory)).isTrue();
    }
}
