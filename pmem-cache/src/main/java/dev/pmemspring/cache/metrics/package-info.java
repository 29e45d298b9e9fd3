/**
 * Micrometer meters of pmem caches and of their coherence, bindable with or without Boot.
 *
 * <p>Types, parameters and results are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.pmemspring.cache.metrics;

import org.jspecify.annotations.NullMarked;
