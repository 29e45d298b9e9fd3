package dev.pmemspring.boot.cache;

import dev.pmemspring.cache.PmemCacheManager;

/**
 * Adjusts the auto-configured {@link PmemCacheManager} before it is built, after the
 * {@code pmem.cache.*} properties are applied: for what the properties cannot say, such as a
 * per-entry {@link dev.pmemspring.cache.CacheExpiry}, another {@link dev.pmemspring.cache.ValueSerializer}
 * or caches whose settings are computed. Beans of this type are applied in their
 * {@link org.springframework.core.Ordered order}.
 *
 * <pre>{@code
 * @Bean
 * PmemCacheManagerBuilderCustomizer quotesExpiry() {
 *     return builder -> builder.cache("quotes", PmemCacheSettings.defaults()
 *             .withExpiry((key, value) -> ((Quote) value).validFor()));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PmemCacheManagerBuilderCustomizer {

    void customize(PmemCacheManager.Builder builder);
}
