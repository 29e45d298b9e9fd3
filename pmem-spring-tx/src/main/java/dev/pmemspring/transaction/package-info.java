/**
 * Pool transactions under Spring's transaction management: {@link
 * dev.pmemspring.transaction.PmemTransactionManager} and {@link dev.pmemspring.transaction.PmemTransactional}.
 *
 * <p>Types, parameters and results are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.pmemspring.transaction;

import org.jspecify.annotations.NullMarked;
