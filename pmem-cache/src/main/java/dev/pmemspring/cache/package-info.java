/**
 * A Spring cache provider on a pmem pool: {@link dev.pmemspring.cache.PmemCacheManager}, its caches,
 * settings, serializers and coherence.
 *
 * <p>Types, parameters and results are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.pmemspring.cache;

import org.jspecify.annotations.NullMarked;
