package dev.pmemspring.demo.ledger;

/** A transfer larger than the paying account's balance; the transaction is rolled back. */
public class InsufficientFundsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InsufficientFundsException(int account, long balance, long amount) {
        super("account " + account + " holds " + balance + ", less than the " + amount + " to transfer");
    }
}
