package dev.pmemspring.demo.ledger;

/** Thrown on request in the middle of a transfer, to show the rollback. */
public class SimulatedFailureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SimulatedFailureException(String message) {
        super(message);
    }
}
