/**
 * A JCache (JSR-107) provider whose caches live in a pmem pool, so that they, their configurations
 * and their entries survive a restart and a {@code kill -9}: {@link dev.pmemspring.jcache.PmemCachingProvider}.
 * The implementation stays in {@code dev.pmemspring.jcache.internal}; applications reach it through
 * {@code javax.cache} only, or {@code unwrap}.
 */
@NullMarked
package dev.pmemspring.jcache;

import org.jspecify.annotations.NullMarked;
