package dev.pmemspring.core;

/**
 * A transaction waited longer than the pool's lock timeout for a block another transaction holds;
 * it was rolled back rather than risk a deadlock. Retry it, keep transactions short, or lock
 * blocks in a fixed order.
 */
public class TransactionLockTimeoutException extends TransactionAbortedException {

    private static final long serialVersionUID = 1L;

    public TransactionLockTimeoutException(String message) {
        super(message, null);
    }
}
