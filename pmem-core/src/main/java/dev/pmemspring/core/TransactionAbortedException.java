package dev.pmemspring.core;

import org.jspecify.annotations.Nullable;

/**
 * Using or committing a transaction that was already rolled back, for example by a failure in a
 * nested level. Nothing of it was applied.
 */
public class TransactionAbortedException extends PmemException {

    private static final long serialVersionUID = 1L;

    public TransactionAbortedException(String message, @Nullable Throwable cause) {
        super(null, message, cause);
    }
}
