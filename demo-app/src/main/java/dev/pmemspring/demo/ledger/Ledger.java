package dev.pmemspring.demo.ledger;

import java.util.Arrays;

import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.Transaction;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Accounts kept directly in the pool, found from its root object:
 *
 * <pre>
 * root (32 bytes)            account table (8 bytes each)     account (16 bytes)
 *   0  magic "LEDGER01"        handle of account 0              0  balance, cents
 *   8  handle of the table     handle of account 1              8  transfers it took part in
 *  16  number of accounts      ...
 *  24  opening balance
 * </pre>
 *
 * Every account is its own block, so two transfers between different accounts lock different
 * blocks and run side by side. The ledger is created in one pool transaction (a crash during it
 * leaves no ledger, and the next start creates it again); the table never changes after that.
 * Changes happen only inside a pool transaction ({@link #debit}, {@link #credit}), which this class
 * expects to be running on the calling thread.
 */
@ConditionalOnBooleanProperty(name = "demo.ledger.enabled", matchIfMissing = true)
@Component
public class Ledger {

    private static final Log LOG = LogFactory.getLog(Ledger.class);

    static final long MAGIC = 0x313052454744454CL; // "LEDGER01" read as a little-endian long
    static final long ROOT_SIZE = 32;
    static final long ACCOUNT_SIZE = 16;
    private static final long BALANCE = 0;
    private static final long TRANSFERS = 8;

    private final PmemPool pool;
    private final long[] accounts;
    private final long[] lockOrder;
    private final long openingBalance;

    public Ledger(PmemPool pool, LedgerProperties properties) {
        this.pool = pool;
        MemoryBlock root = pool.root(ROOT_SIZE);
        if (root.getLong(0) != MAGIC) {
            create(root, properties.accounts(), properties.initialBalance());
            LOG.info("created a ledger of " + properties.accounts() + " accounts in pool " + pool.path());
        }
        int count = Math.toIntExact(root.getLong(16));
        this.openingBalance = root.getLong(24);
        if (count != properties.accounts() || openingBalance != properties.initialBalance()) {
            LOG.warn("the pool's ledger has " + count + " accounts opened with " + openingBalance
                    + "; demo.ledger settings apply only to a new ledger");
        }
        MemoryBlock table = pool.block(root.getLong(8));
        this.accounts = new long[count];
        for (int i = 0; i < count; i++) {
            accounts[i] = table.getLong(8L * i);
        }
        this.lockOrder = accounts.clone();
        Arrays.sort(lockOrder);
    }

    private void create(MemoryBlock root, int count, long balance) {
        pool.transaction(tx -> {
            long table = tx.allocate(8L * count);
            MemoryBlock t = pool.block(table);
            for (int i = 0; i < count; i++) {
                long account = tx.allocate(ACCOUNT_SIZE); // new blocks: written without snapshots
                MemoryBlock a = pool.block(account);
                a.putLong(BALANCE, balance);
                a.putLong(TRANSFERS, 0);
                t.putLong(8L * i, account);
            }
            tx.putLong(root.fieldHandle(8), table);
            tx.putLong(root.fieldHandle(16), count);
            tx.putLong(root.fieldHandle(24), balance);
            tx.putLong(root.fieldHandle(0), MAGIC);
        });
    }

    public int size() {
        return accounts.length;
    }

    public long openingBalance() {
        return openingBalance;
    }

    /** What the balances must add up to, whatever transfers ran. */
    public long expectedTotal() {
        return openingBalance * accounts.length;
    }

    /**
     * Snapshots and so locks both accounts, lower handle first (all transactions take account locks
     * in one order, so two transfers never wait on each other in a cycle).
     */
    void lockPair(Transaction tx, int a, int b) {
        long first = Math.min(accounts[a], accounts[b]);
        long second = Math.max(accounts[a], accounts[b]);
        tx.snapshot(first, ACCOUNT_SIZE);
        tx.snapshot(second, ACCOUNT_SIZE);
    }

    /** Locks every account, in the same order transfers use, for a consistent read of them all. */
    void lockAll(Transaction tx) {
        for (long handle : lockOrder) {
            tx.lock(handle);
        }
    }

    long balance(int account) {
        return pool.block(accounts[account]).getLong(BALANCE);
    }

    long transfers(int account) {
        return pool.block(accounts[account]).getLong(TRANSFERS);
    }

    /** Writes a snapshotted account: the running transaction makes it durable at commit. */
    void debit(int account, long amount) {
        add(account, -amount);
    }

    void credit(int account, long amount) {
        add(account, amount);
    }

    private void add(int account, long amount) {
        MemoryBlock a = pool.block(accounts[account]);
        a.putLong(BALANCE, a.getLong(BALANCE) + amount);
        a.putLong(TRANSFERS, a.getLong(TRANSFERS) + 1);
    }

    void checkAccount(int account) {
        if (account < 0 || account >= accounts.length) {
            throw new IllegalArgumentException(
                    "no account " + account + ": accounts are 0 to " + (accounts.length - 1));
        }
    }
}
