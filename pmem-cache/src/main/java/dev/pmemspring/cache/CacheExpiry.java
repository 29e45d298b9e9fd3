package dev.pmemspring.cache;

import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * How long an entry lives, decided per entry when it is written. Overrides a cache's fixed
 * time-to-live.
 *
 * <pre>{@code
 * CacheExpiry byKind = (key, value) -> value instanceof Quote q && q.live()
 *         ? Duration.ofSeconds(5) : Duration.ofHours(1);
 * PmemCacheSettings.defaults().withExpiry(byKind);
 * }</pre>
 *
 * The deadline is stored with the entry as wall-clock time, so it keeps counting across restarts.
 */
@FunctionalInterface
public interface CacheExpiry {

    /**
     * The time the entry written for {@code key} stays readable; {@link Duration#ZERO} or a
     * negative duration means it never expires.
     *
     * @param value the value as written, or null when a null is cached
     */
    Duration expireAfterWrite(Object key, @Nullable Object value);
}
