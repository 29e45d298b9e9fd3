/**
 * The public face of the pool: {@link dev.pmemspring.core.PmemPool}, its options, blocks, maps,
 * transactions, reports and exceptions.
 *
 * <p>Types, parameters and results are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.pmemspring.core;

import org.jspecify.annotations.NullMarked;
