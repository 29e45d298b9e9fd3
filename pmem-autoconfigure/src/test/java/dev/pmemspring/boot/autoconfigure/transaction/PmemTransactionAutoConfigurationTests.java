package dev.pmemspring.boot.autoconfigure.transaction;

import java.nio.file.Path;

import javax.sql.DataSource;

import dev.pmemspring.transaction.PmemTransactionManager;
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
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemTransactionAutoConfiguration.class,
                        TransactionAutoConfiguration.class,
                        TransactionManagerCustomizationAutoConfiguration.class))
                .withPropertyValues("pmem.pool.path=" + dir.resolve("tx.pool"), "pmem.pool.size=8MB");
    }

    @Test
    void registersThePoolTransactionManagerAsAFallback() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasBean("pmemTransactionManager");
            assertThat(context.getBeanFactory()
                            .getBeanDefinition("pmemTransactionManager")
                            .isFallback())
                    .isTrue();
            // alone, it is the one a plain @Transactional finds
            assertThat(context.getBean(TransactionManager.class)).isInstanceOf(PmemTransactionManager.class);
        });
    }

    @Test
    void leavesJdbcTheMainTransactionManager() {
        runner().withConfiguration(AutoConfigurations.of(
                        DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class))
                .withPropertyValues("spring.datasource.generate-unique-name=true") // embedded H2
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(DataSource.class);
                    assertThat(context.getBeansOfType(PlatformTransactionManager.class))
                            .hasSize(2);
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
                .run(context -> assertThat(context)
                        .getBean("pmemTransactionManager")
                        .isInstanceOf(OwnTransactionManager.class));
    }

    static final class OwnTransactionManager implements PlatformTransactionManager {

        @Override
        public TransactionStatus getTransaction(TransactionDefinition definition) {
            return new SimpleTransactionStatus();
        }

        @Override
        public void commit(TransactionStatus status) {}

        @Override
        public void rollback(TransactionStatus status) {}
    }
}
