package dev.pmemspring.transaction;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Runs the annotated method (or every method of the annotated class) in one pool transaction, driven
 * by the {@code pmemTransactionManager} bean: what the method changes through the pool's
 * {@link dev.pmemspring.core.Transaction} (reached with {@code pool.currentTransaction()}, or by
 * {@code pool.transaction(...)}, which joins it) is committed when the method returns and rolled back
 * when it throws a {@link RuntimeException} or {@link Error} (or an exception listed in
 * {@link #rollbackFor}).
 *
 * <p>A shortcut for {@code @Transactional(transactionManager = "pmemTransactionManager")}. Pool
 * transactions belong to their thread and do not nest: {@link Propagation#REQUIRES_NEW},
 * {@link Propagation#NOT_SUPPORTED} and {@link Propagation#NESTED} inside a running pool transaction
 * are refused with an exception that says so.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Transactional(transactionManager = PmemTransactional.TRANSACTION_MANAGER)
public @interface PmemTransactional {

    /** Name of the transaction manager bean this annotation uses. */
    String TRANSACTION_MANAGER = "pmemTransactionManager";

    /** Propagation of the transaction; REQUIRED by default. */
    @AliasFor(annotation = Transactional.class)
    Propagation propagation() default Propagation.REQUIRED;

    /** Whether the transaction is read-only (a hint; the pool does not enforce it). */
    @AliasFor(annotation = Transactional.class)
    boolean readOnly() default false;

    /** Exception types that roll the transaction back, besides unchecked ones. */
    @AliasFor(annotation = Transactional.class)
    Class<? extends Throwable>[] rollbackFor() default {};

    /** Exception types that do not roll the transaction back. */
    @AliasFor(annotation = Transactional.class)
    Class<? extends Throwable>[] noRollbackFor() default {};

    /** Transaction labels, as {@link Transactional#label()}. */
    @AliasFor(annotation = Transactional.class)
    String[] label() default {};
}
