package dev.pmemspring.transaction;

import java.nio.file.Path;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.NestedTransactionNotSupportedException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.TransactionSuspensionNotSupportedException;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transaction manager on its own: no Boot, no application context. */
class PmemTransactionManagerTest {

    @TempDir
    Path dir;

    private PmemPool pool;

    private PlatformTransactionManager manager;

    @BeforeEach
    void open() {
        pool = PmemPool.create(
                dir.resolve("tx.pool"),
                PoolOptions.layout("tx-test").withSize(8L << 20).withDurability(Durability.PROCESS));
        manager = new PmemTransactionManager(pool);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void commitsAndRollsBackPoolTransactions() {
        TransactionTemplate tt = new TransactionTemplate(manager);
        MemoryBlock root = pool.root(64);
        tt.executeWithoutResult(status -> {
            Transaction tx = pool.currentTransaction().orElseThrow();
            tx.putLong(root.handle(), 1);
        });
        assertThat(root.getLong(0)).isEqualTo(1);
        assertThat(pool.currentTransaction()).isEmpty();

        assertThatThrownBy(() -> tt.executeWithoutResult(status -> {
                    pool.transaction(tx -> tx.putLong(root.handle(), 2)); // joins the outer one
                    assertThat(root.getLong(0)).isEqualTo(2);
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");
        assertThat(root.getLong(0)).isEqualTo(1);

        tt.executeWithoutResult(status -> {
            pool.currentTransaction().orElseThrow().putLong(root.handle(), 3);
            status.setRollbackOnly();
        });
        assertThat(root.getLong(0)).isEqualTo(1);
        assertThat(pool.stats().transactionsCommitted()).isEqualTo(1);
    }

    @Test
    void anInnerRollbackRollsTheWholeBack() {
        PlatformTransactionManager tm = manager;
        TransactionTemplate outer = new TransactionTemplate(tm);
        TransactionTemplate inner = new TransactionTemplate(tm);
        MemoryBlock root = pool.root(64);
        assertThatThrownBy(() -> outer.executeWithoutResult(status -> {
                    pool.currentTransaction().orElseThrow().putLong(root.handle(), 7);
                    inner.executeWithoutResult(TransactionStatus::setRollbackOnly);
                }))
                .isInstanceOf(UnexpectedRollbackException.class);
        assertThat(root.getLong(0)).isZero();
    }

    @Test
    void refusesPropagationsAPoolTransactionCannotHonour() {
        PlatformTransactionManager tm = manager;
        TransactionTemplate outer = new TransactionTemplate(tm);
        for (int propagation : new int[] {
            TransactionDefinition.PROPAGATION_REQUIRES_NEW, TransactionDefinition.PROPAGATION_NOT_SUPPORTED
        }) {
            TransactionTemplate inner = new TransactionTemplate(tm);
            inner.setPropagationBehavior(propagation);
            assertThatThrownBy(() -> outer.executeWithoutResult(s -> inner.executeWithoutResult(i -> {})))
                    .isInstanceOf(TransactionSuspensionNotSupportedException.class)
                    .hasMessageContaining("cannot be suspended");
            assertThat(pool.currentTransaction()).isEmpty();
        }
        TransactionTemplate nested = new TransactionTemplate(tm);
        nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        assertThatThrownBy(() -> outer.executeWithoutResult(s -> nested.executeWithoutResult(i -> {})))
                .isInstanceOf(NestedTransactionNotSupportedException.class)
                .hasMessageContaining("savepoints");
        assertThat(pool.currentTransaction()).isEmpty();
        // without an outer transaction they simply begin one
        TransactionTemplate alone = new TransactionTemplate(tm);
        alone.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        alone.executeWithoutResult(s -> assertThat(pool.currentTransaction()).isPresent());
        TransactionTemplate mandatory = new TransactionTemplate(tm);
        mandatory.setPropagationBehavior(TransactionDefinition.PROPAGATION_MANDATORY);
        assertThatThrownBy(() -> mandatory.executeWithoutResult(s -> {}))
                .isInstanceOf(IllegalTransactionStateException.class);
    }

    @Test
    void joinsATransactionBegunOnThePool() {
        TransactionTemplate tt = new TransactionTemplate(manager);
        MemoryBlock root = pool.root(64);
        Transaction tx = pool.begin();
        tt.executeWithoutResult(s -> {
            assertThat(s.isNewTransaction()).isFalse();
            pool.currentTransaction().orElseThrow().putLong(root.handle(), 9);
        });
        assertThat(tx.isActive()).isTrue();
        tx.commit();
        assertThat(root.getLong(0)).isEqualTo(9);
    }
}
