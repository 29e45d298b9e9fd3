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
    void theSerializersRefusalIsKnownBeforeEncoding() {
        assertThat(ValueEncoding.refuses("s", fory)).isFalse();
        assertThat(ValueEncoding.refuses(new java.util.ArrayList<>(), fory)).isFalse();
        assertThat(ValueEncoding.refuses(new StringBuilder("not allowed"), fory))
                .isFalse(); // java.lang.*
        assertThat(ValueEncoding.refuses(new ValueEncodingTest(), fory)).isTrue();
    }
}
