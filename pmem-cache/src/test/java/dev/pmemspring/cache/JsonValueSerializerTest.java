package dev.pmemspring.cache;

import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonValueSerializerTest {

    @TempDir
    Path dir;

    record Basket(String owner, List<Quote> quotes) {}

    @Test
    @SuppressWarnings("unchecked")
    void records_and_collections_of_records_round_trip() {
        try (PmemPool pool = TestPools.open(dir)) {
            PmemCache cache = PmemCacheManager.builder(pool)
                    .defaults(PmemCacheSettings.defaults()
                            .withSerializer(JsonValueSerializer.allowing("dev.pmemspring.cache.**")))
                    .build()
                    .getCache("json");
            Quote quote = new Quote("ACME", new BigDecimal("1.50"));
            Basket basket = new Basket("ann", List.of(quote, new Quote("B", BigDecimal.TEN)));
            cache.put("q", quote);
            cache.put("basket", basket);
            cache.put("list", List.of(quote));
            cache.put("map", Map.of("a", quote));
            assertThat(cache.get("q", Quote.class)).isEqualTo(quote);
            assertThat(cache.get("basket", Basket.class)).isEqualTo(basket);
            assertThat((List<Object>) cache.get("list").get()).containsExactly(quote);
            assertThat((Map<Object, Object>) cache.get("map").get()).containsEntry("a", quote);
        }
    }

    @Test
    void classes_off_the_list_are_refused() throws Exception {
        JsonValueSerializer json = JsonValueSerializer.allowing("com.example.**");
        assertThat(json.allows(Quote.class)).isFalse();
        byte[] bytes = JsonValueSerializer.allowing("dev.pmemspring.cache.*").serialize(new Quote("A", BigDecimal.ONE));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> json.deserialize(bytes, getClass().getClassLoader()))
                .hasMessageContaining("allow-list");
    }
}
