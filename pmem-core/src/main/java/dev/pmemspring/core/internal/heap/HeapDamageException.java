package dev.pmemspring.core.internal.heap;

/** The heap's persistent metadata does not hold together; the message says where. */
public final class HeapDamageException extends Exception {

    private static final long serialVersionUID = 1L;

    public HeapDamageException(String message) {
        super(message);
    }
}
