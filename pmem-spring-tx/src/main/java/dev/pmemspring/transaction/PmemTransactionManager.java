package dev.pmemspring.transaction;

import java.util.Objects;

import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.Transaction;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.NestedTransactionNotSupportedException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionSuspensionNotSupportedException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.ResourceHolderSupport;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.transaction.support.SmartTransactionObject;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A Spring transaction manager whose transactions are pool transactions: a transactional method
 * runs in one {@link Transaction} of the pool (begun on the method's thread, committed when it
 * returns, rolled back when it fails), which code inside reaches with
 * {@link PmemPool#currentTransaction()} or joins with {@link PmemPool#transaction}.
 *
 * <p>Propagation: REQUIRED, SUPPORTS, MANDATORY and NEVER behave as usual, and a transaction begun
 * directly on the pool (outside Spring) counts as an existing one. A pool transaction belongs to its
 * thread and cannot be set aside, so REQUIRES_NEW and NOT_SUPPORTED inside a running one throw
 * {@link TransactionSuspensionNotSupportedException}; it has no savepoints, so NESTED inside one
 * throws {@link NestedTransactionNotSupportedException}. Isolation levels and timeouts are not
 * applied: a pool transaction locks each range it snapshots until it ends, and a lock wait is
 * bounded by the pool's lock timeout ({@code pmem.pool.lock-timeout} under Boot).
 *
 * <p>Without Boot, register it under the name {@link PmemTransactional} uses, in an application with
 * {@code @EnableTransactionManagement}:
 *
 * <pre>{@code
 * @Bean(PmemTransactional.TRANSACTION_MANAGER)
 * PmemTransactionManager pmemTransactionManager(PmemPool pool) {
 *     return new PmemTransactionManager(pool);
 * }
 * }</pre>
 *
 * Under Boot, the starter registers it.
 */
public class PmemTransactionManager extends AbstractPlatformTransactionManager implements ResourceTransactionManager {

    private static final long serialVersionUID = 1L;

    private final transient PmemPool pool;

    public PmemTransactionManager(PmemPool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
        // NESTED reaches doBegin, which refuses it with a message that names the cause
        setNestedTransactionAllowed(true);
    }

    public PmemPool getPool() {
        return pool;
    }

    @Override
    public Object getResourceFactory() {
        return pool;
    }

    @Override
    protected Object doGetTransaction() {
        PoolTransactionObject object = new PoolTransactionObject();
        object.holder = (PoolTransactionHolder) TransactionSynchronizationManager.getResource(pool);
        if (object.holder == null) {
            object.foreign = pool.isClosed()
                    ? null
                    : pool.currentTransaction().filter(Transaction::isActive).orElse(null);
        }
        return object;
    }

    @Override
    protected boolean isExistingTransaction(Object transaction) {
        return ((PoolTransactionObject) transaction).active() != null;
    }

    @Override
    protected boolean useSavepointForNestedTransaction() {
        return false;
    }

    @Override
    protected void doBegin(Object transaction, TransactionDefinition definition) {
        PoolTransactionObject object = (PoolTransactionObject) transaction;
        if (object.active() != null) {
            throw new NestedTransactionNotSupportedException("propagation NESTED inside a running pool transaction"
                    + " is not supported: pool transactions have no savepoints (an inner rollback rolls back the"
                    + " whole); use REQUIRED to join the outer transaction");
        }
        Transaction tx;
        try {
            tx = pool.begin();
        } catch (PmemException | IllegalStateException e) {
            throw new TransactionSystemException("could not begin a pool transaction on " + pool.path(), e);
        }
        PoolTransactionHolder holder = new PoolTransactionHolder(tx);
        holder.setSynchronizedWithTransaction(true);
        TransactionSynchronizationManager.bindResource(pool, holder);
        object.holder = holder;
        object.newHolder = true;
    }

    @Override
    protected Object doSuspend(Object transaction) {
        throw new TransactionSuspensionNotSupportedException("a pool transaction belongs to its thread and cannot be"
                + " suspended, so propagation REQUIRES_NEW or NOT_SUPPORTED inside a running pool transaction is not"
                + " supported; use REQUIRED, or run the inner work after the outer transaction ends");
    }

    @Override
    protected void doCommit(DefaultTransactionStatus status) {
        Transaction tx = ((PoolTransactionObject) status.getTransaction()).active();
        if (tx == null) {
            throw new UnexpectedRollbackException("the pool transaction was already rolled back (for example by a"
                    + " lock timeout or an explicit abort inside the method), so there is nothing to commit");
        }
        try {
            tx.commit();
        } catch (PmemException e) {
            throw new TransactionSystemException("could not commit the pool transaction on " + pool.path(), e);
        }
    }

    @Override
    protected void doRollback(DefaultTransactionStatus status) {
        Transaction tx = ((PoolTransactionObject) status.getTransaction()).active();
        if (tx != null) {
            try {
                tx.abort();
            } catch (PmemException e) {
                throw new TransactionSystemException("could not roll back the pool transaction on " + pool.path(), e);
            }
        }
    }

    @Override
    protected void doSetRollbackOnly(DefaultTransactionStatus status) {
        PoolTransactionObject object = (PoolTransactionObject) status.getTransaction();
        if (object.holder != null) {
            object.holder.setRollbackOnly();
        } else if (object.foreign != null && object.foreign.isActive()) {
            // begun on the pool outside Spring: nobody else will see a flag, so roll it back now
            object.foreign.abort();
        }
    }

    @Override
    protected void doCleanupAfterCompletion(Object transaction) {
        PoolTransactionObject object = (PoolTransactionObject) transaction;
        if (object.newHolder) {
            TransactionSynchronizationManager.unbindResourceIfPossible(pool);
            object.holder.clear();
        }
    }

    /** What Spring keeps per transactional scope. */
    private static final class PoolTransactionObject implements SmartTransactionObject {

        private @Nullable PoolTransactionHolder holder;

        private @Nullable Transaction foreign;

        private boolean newHolder;

        /** The pool transaction this scope runs in, if it is still active. */
        @Nullable
        Transaction active() {
            Transaction tx = holder != null ? holder.tx : foreign;
            return tx != null && tx.isActive() ? tx : null;
        }

        @Override
        public boolean isRollbackOnly() {
            return holder != null && holder.isRollbackOnly();
        }

        @Override
        public void flush() {
            // pool writes are made durable at commit
        }
    }

    /** Binds the running pool transaction to the thread, as Spring's resource holders do. */
    private static final class PoolTransactionHolder extends ResourceHolderSupport {

        private final Transaction tx;

        PoolTransactionHolder(Transaction tx) {
            this.tx = tx;
        }
    }
}
