package dev.pmemspring.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.cache.interceptor.SimpleKey;

class CacheRuntimeHintsTest {

    enum Currency {
        EUR,
        USD
    }

    record Price(BigDecimal amount, Currency currency) implements Serializable {}

    record Line(String sku, Price price) implements Serializable {}

    static class Base implements Serializable {
        Price basePrice;
    }

    record Basket(List<Line> lines, Map<String, Price[]> byShop, Base base) implements Serializable {}

    static final class NotSerializable {
        Price price;
    }

    @Test
    void theCachesOwnHintsAreFoundThroughAotFactories() {
        assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
                .anyMatch(r -> r instanceof CacheRuntimeHints);
    }

    @Test
    void keysAndTheJdkValueClassesAreCovered() {
        RuntimeHints hints = new RuntimeHints();
        new CacheRuntimeHints().registerHints(hints, getClass().getClassLoader());

        // KeyEncoder reads SimpleKey's parameters from its field
        assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(SimpleKey.class, "params"))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(SimpleKey.class, true))
                .accepts(hints);
        for (Class<?> type : List.of(String.class, Long.class, java.util.ArrayList.class, java.time.Instant.class)) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type))
                    .as(type.getName())
                    .accepts(hints);
            assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(type, true))
                    .as(type.getName())
                    .accepts(hints);
        }
    }

    @Test
    void aCachedTypeBringsTheApplicationTypesItIsMadeOf() {
        RuntimeHints hints = new RuntimeHints();
        CacheRuntimeHints.registerCachedTypes(hints, Basket.class, NotSerializable.class);

        for (Class<?> type : List.of(Basket.class, Line.class, Price.class, Currency.class, Base.class)) {
            assertThat(RuntimeHintsPredicates.reflection()
                            .onType(type)
                            .withMemberCategories(
                                    MemberCategory.ACCESS_DECLARED_FIELDS, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS))
                    .as(type.getName())
                    .accepts(hints);
            assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(type, true))
                    .as(type.getName())
                    .accepts(hints);
        }
        // the record's canonical constructor and accessors, for Fory and for JSON
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Line.class, "sku"))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onType(NotSerializable.class))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(NotSerializable.class, true))
                .rejects(hints);
        // the JDK's classes are the cache's own hints' concern, not each application's
        assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(BigDecimal.class, true))
                .rejects(hints);
    }
}
