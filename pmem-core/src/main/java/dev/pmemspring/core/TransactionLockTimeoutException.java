package dev.pmemspring.core;

/**
 * A transaction waited longer than the pool's lock timeout for a range (or a whole block) another
 * transaction holds; it was rolled back rather than risk a deadlock. Retry it, keep transactions
 * short, or lock what transactions share in one order (see {@link Transaction}, "Isolation").
 */
public class TransactionLockTimeoutException extends TransactionAbortedException {

    private static final long serialVersionUID = 1L;

    public TransactionLockTimeoutException(String message) {
        super(message, null);
    }
}
