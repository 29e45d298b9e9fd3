package dev.pmemspring.boot.autoconfigure.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

/**
 * Spring's AOT processing of a context with caching beans: the types the cached methods return and
 * take get the hints the cache's serializers need, through {@code aot.factories} as a build would
 * find them, and the cache's own hints come along.
 */
class CachedTypesAotProcessorTests {

    record Sku(String value) implements Serializable {}

    record Quote(Sku sku, long cents) implements Serializable {}

    record Offer(List<Quote> quotes) implements Serializable {}

    record Report(String text) implements Serializable {}

    record Receipt(String id) implements Serializable {}

    record Unrelated(String text) {}

    static class PriceService {
        @Cacheable("quotes")
        public Optional<Quote> quote(Sku sku) {
            return Optional.empty();
        }

        @CachePut("offers")
        public CompletableFuture<Offer> offer(String key) {
            return CompletableFuture.completedFuture(null);
        }

        @Caching(cacheable = @Cacheable("reports"))
        public Report report(int year) {
            return new Report("");
        }

        public Unrelated notCached() {
            return new Unrelated("");
        }
    }

    @Cacheable("receipts")
    static class ReceiptService {
        public Receipt receipt(String id) {
            return new Receipt(id);
        }
    }

    @Test
    void cachedMethodsTypesAreRegisteredAndOthersAreNot() {
        RuntimeHints hints = processAheadOfTime(PriceService.class, ReceiptService.class);

        for (Class<?> type : List.of(Quote.class, Sku.class, Offer.class, Report.class, Receipt.class)) {
            assertThat(RuntimeHintsPredicates.reflection()
                            .onType(type)
                            .withMemberCategories(
                                    MemberCategory.ACCESS_DECLARED_FIELDS, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS))
                    .as(type.getSimpleName())
                    .accepts(hints);
            assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(type, true))
                    .as(type.getSimpleName())
                    .accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onType(Unrelated.class)).rejects(hints);
        // the cache's own hints (dev.pmemspring.cache.CacheRuntimeHints) are part of the same build
        assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(SimpleKey.class, "params"))
                .accepts(hints);
    }

    @Test
    void aContextWithoutCachedMethodsGetsNoApplicationTypes() {
        assertThat(CachedTypesAotProcessor.cachedTypes(Unrelated.class)).isEmpty();
        assertThat(CachedTypesAotProcessor.cachedTypes(PriceService.class))
                .contains(Optional.class, Quote.class, Sku.class, CompletableFuture.class, Offer.class, Report.class)
                .doesNotContain(Unrelated.class);
    }

    private static RuntimeHints processAheadOfTime(Class<?>... beans) {
        try (GenericApplicationContext context = new GenericApplicationContext()) {
            for (Class<?> bean : beans) {
                context.registerBean(bean);
            }
            DefaultGenerationContext generation = new DefaultGenerationContext(
                    new ClassNameGenerator(ClassName.get("com.example", "App")), new InMemoryGeneratedFiles());
            new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
            return generation.getRuntimeHints();
        }
    }
}
