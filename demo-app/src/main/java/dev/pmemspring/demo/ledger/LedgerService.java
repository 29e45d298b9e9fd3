package dev.pmemspring.demo.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.pmemspring.transaction.PmemTransactional;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.Transaction;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Service;

/**
 * Transfers between the ledger's accounts, each one pool transaction: a transfer that fails, or a
 * process killed in the middle of one, leaves both accounts as they were.
 *
 * <p>{@link PmemTransactional} (the starter's {@code @Transactional("pmemTransactionManager")})
 * begins the pool transaction before the method runs, commits it when the method returns and rolls
 * it back when it throws; the method reaches it with {@link PmemPool#currentTransaction()}.
 */
@ConditionalOnBooleanProperty(name = "demo.ledger.enabled", matchIfMissing = true)
@Service
public class LedgerService {

    private final PmemPool pool;
    private final Ledger ledger;
    private final Duration pauseBetweenLegs;

    public LedgerService(PmemPool pool, Ledger ledger, LedgerProperties properties) {
        this.pool = pool;
        this.ledger = ledger;
        this.pauseBetweenLegs = properties.pauseBetweenLegs();
    }

    /**
     * Moves {@code amount} cents from one account to another.
     *
     * @param failAfterDebit throw after the debit is written, to show that it is rolled back
     * @throws InsufficientFundsException if {@code from} holds less than {@code amount}
     */
    @PmemTransactional
    public Transfer transfer(int from, int to, long amount, boolean failAfterDebit) {
        ledger.checkAccount(from);
        ledger.checkAccount(to);
        if (from == to) {
            throw new IllegalArgumentException("a transfer needs two different accounts");
        }
        if (amount <= 0) {
            throw new IllegalArgumentException("the amount must be positive: " + amount);
        }
        Transaction tx = current();
        ledger.lockPair(tx, from, to);
        long available = ledger.balance(from);
        if (available < amount) {
            throw new InsufficientFundsException(from, available, amount);
        }
        ledger.debit(from, amount);
        pause();
        if (failAfterDebit) {
            throw new SimulatedFailureException(
                    "failed on purpose after debiting account " + from + "; the transaction is rolled back");
        }
        ledger.credit(to, amount);
        return new Transfer(from, to, amount, ledger.balance(from), ledger.balance(to));
    }

    /** Every balance, read under the locks transfers take, so the figures are from one moment. */
    @PmemTransactional(readOnly = true)
    public Statement statement() {
        ledger.lockAll(current());
        List<Long> balances = new ArrayList<>(ledger.size());
        long total = 0;
        long legs = 0;
        for (int i = 0; i < ledger.size(); i++) {
            long b = ledger.balance(i);
            balances.add(b);
            total += b;
            legs += ledger.transfers(i);
        }
        return new Statement(
                ledger.size(), total, ledger.expectedTotal(), total == ledger.expectedTotal(), legs / 2, balances);
    }

    private Transaction current() {
        return pool.currentTransaction()
                .orElseThrow(() -> new IllegalStateException(
                        "no pool transaction is running: call this through the Spring proxy (@PmemTransactional)"));
    }

    private void pause() {
        if (pauseBetweenLegs.isPositive()) {
            try {
                Thread.sleep(pauseBetweenLegs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in the middle of a transfer", e);
            }
        }
    }

    /** A committed transfer and the two balances after it. */
    public record Transfer(int from, int to, long amount, long fromBalance, long toBalance) {}

    /**
     * The whole ledger.
     *
     * @param transfers committed transfers since the ledger was created (each account counts the
     *                  transfers it took part in; every transfer has two)
     */
    public record Statement(
            int accounts, long total, long expectedTotal, boolean balanced, long transfers, List<Long> balances) {}
}
