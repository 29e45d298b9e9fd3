package dev.pmemspring.boot.autoconfigure.transaction;

import java.nio.file.Path;

import javax.sql.DataSource;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.NestedTransactionNotSupportedException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.TransactionSuspensionNotSupportedException;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmemTransactionAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PmemPoolAutoConfiguration.class,
                        PmemTransactionAutoConfiguration.class, TransactionAutoConfiguration.class,
                        TransactionManagerCustomizationAutoConfiguration.class))
                .withPropertyValues("pmem.pool.path=" + dir.resolve("tx.pool"), "pmem.pool.size=8MB");
    }

    @Test
    void registersThePoolTransactionManagerAsAFallback() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasBean("pmemTransactionManager");
            assertThat(context.getBeanFactory().getBeanDefinition("pmemTransactionManager").isFallback()).isTrue();
            // alone, it is the one a plain @Transactional finds
            assertThat(context.getBean(TransactionManager.class)).isInstanceOf(PmemTransactionManager.class);
        });
    }

    @Test
    void leavesJdbcTheMainTransactionManager() {
        runner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class))
                .withPropertyValues("spring.datasource.generate-unique-name=true")   // embedded H2
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(DataSource.class);
                    assertThat(context.getBeansOfType(PlatformTransactionManager.class)).hasSize(2);
                    assertThat(context.getBean(PlatformTransactionManager.class))
                            .isInstanceOf(JdbcTransactionManager.class);
                    assertThat(context.getBean(TransactionTemplate.class).getTransactionManager())
                            .isInstanceOf(JdbcTransactionManager.class);
                    assertThat(context.getBean("pmemTransactionManager")).isInstanceOf(PmemTransactionManager.class);
                });
    }

    @Test
    void backsOffWithoutSpringTx() {
        runner().withClassLoader(new FilteredClassLoader(PlatformTransactionManager.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("pmemTransactionManager"));
    }

    @Test
    void backsOffForAUserBeanOfTheSameName() {
        runner().withBean("pmemTransactionManager", PlatformTransactionManager.class, OwnTransactionManager::new)
                .run(context -> assertThat(context).getBean("pmemTransactionManager")
                        .isInstanceOf(OwnTransactionManager.class));
    }

    @Test
    void commitsAndRollsBackPoolTransactions() {
        runner().run(context -> {
            PmemPool pool = context.getBean(PmemPool.class);
            TransactionTemplate tt = new TransactionTemplate(
                    context.getBean("pmemTransactionManager", PlatformTransactionManager.class));
            MemoryBlock root = pool.root(64);
            tt.executeWithoutResult(status -> {
                Transaction tx = pool.currentTransaction().orElseThrow();
                tx.putLong(root.handle(), 1);
            });
            assertThat(root.getLong(0)).isEqualTo(1);
            assertThat(pool.currentTransaction()).isEmpty();

            assertThatThrownBy(() -> tt.executeWithoutResult(status -> {
                pool.transaction(tx -> tx.putLong(root.handle(), 2));   // joins the outer one
                assertThat(root.getLong(0)).isEqualTo(2);
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            assertThat(root.getLong(0)).isEqualTo(1);

            tt.executeWithoutResult(status -> {
                pool.currentTransaction().orElseThrow().putLong(root.handle(), 3);
                status.setRollbackOnly();
            });
            assertThat(root.getLong(0)).isEqualTo(1);
            assertThat(pool.stats().transactionsCommitted()).isEqualTo(1);
        });
    }

    @Test
    void anInnerRollbackRollsTheWholeBack() {
        runner().run(context -> {
            PmemPool pool = context.getBean(PmemPool.class);
            PlatformTransactionManager tm = context.getBean("pmemTransactionManager", PlatformTransactionManager.class);
            TransactionTemplate outer = new TransactionTemplate(tm);
            TransactionTemplate inner = new TransactionTemplate(tm);
            MemoryBlock root = pool.root(64);
            assertThatThrownBy(() -> outer.executeWithoutResult(status -> {
                pool.currentTransaction().orElseThrow().putLong(root.handle(), 7);
                inner.executeWithoutResult(TransactionStatus::setRollbackOnly);
            })).isInstanceOf(UnexpectedRollbackException.class);
            assertThat(root.getLong(0)).isZero();
        });
    }

    @Test
    void refusesPropagationsAPoolTransactionCannotHonour() {
        runner().run(context -> {
            PlatformTransactionManager tm = context.getBean("pmemTransactionManager", PlatformTransactionManager.class);
            PmemPool pool = context.getBean(PmemPool.class);
            TransactionTemplate outer = new TransactionTemplate(tm);
            for (int propagation : new int[] {TransactionDefinition.PROPAGATION_REQUIRES_NEW,
                    TransactionDefinition.PROPAGATION_NOT_SUPPORTED}) {
                TransactionTemplate inner = new TransactionTemplate(tm);
                inner.setPropagationBehavior(propagation);
                assertThatThrownBy(() -> outer.executeWithoutResult(s -> inner.executeWithoutResult(i -> { })))
                        .isInstanceOf(TransactionSuspensionNotSupportedException.class)
                        .hasMessageContaining("cannot be suspended");
                assertThat(pool.currentTransaction()).isEmpty();
            }
            TransactionTemplate nested = new TransactionTemplate(tm);
            nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
            assertThatThrownBy(() -> outer.executeWithoutResult(s -> nested.executeWithoutResult(i -> { })))
                    .isInstanceOf(NestedTransactionNotSupportedException.class).hasMessageContaining("savepoints");
            assertThat(pool.currentTransaction()).isEmpty();
            // without an outer transaction they simply begin one
            TransactionTemplate alone = new TransactionTemplate(tm);
            alone.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
            alone.executeWithoutResult(s -> assertThat(pool.currentTransaction()).isPresent());
            TransactionTemplate mandatory = new TransactionTemplate(tm);
            mandatory.setPropagationBehavior(TransactionDefinition.PROPAGATION_MANDATORY);
            assertThatThrownBy(() -> mandatory.executeWithoutResult(s -> { }))
                    .isInstanceOf(IllegalTransactionStateException.class);
        });
    }

    @Test
    void joinsATransactionBegunOnThePool() {
        runner().run(context -> {
            PmemPool pool = context.getBean(PmemPool.class);
            TransactionTemplate tt = new TransactionTemplate(
                    context.getBean("pmemTransactionManager", PlatformTransactionManager.class));
            MemoryBlock root = pool.root(64);
            Transaction tx = pool.begin();
            tt.executeWithoutResult(s -> {
                assertThat(s.isNewTransaction()).isFalse();
                pool.currentTransaction().orElseThrow().putLong(root.handle(), 9);
            });
            assertThat(tx.isActive()).isTrue();
            tx.commit();
            assertThat(root.getLong(0)).isEqualTo(9);
        });
    }

    static final class OwnTransactionManager implements PlatformTransactionManager {

        @Override
        public TransactionStatus getTransaction(TransactionDefinition definition) {
            return new SimpleTransactionStatus();
        }

        @Override
        public void commit(TransactionStatus status) {
        }

        @Override
        public void rollback(TransactionStatus status) {
        }
    }
}
