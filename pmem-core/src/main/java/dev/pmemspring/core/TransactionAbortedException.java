package dev.pmemspring.core;

/**
 * Using or committing a transaction that was already rolled back, for example by a failure in a
 * nested level. Nothing of it was applied.
 */
public class TransactionAbortedException extends PmemException {

    private static final long serialVersionUID = 1L;

    public TransactionAbortedException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
