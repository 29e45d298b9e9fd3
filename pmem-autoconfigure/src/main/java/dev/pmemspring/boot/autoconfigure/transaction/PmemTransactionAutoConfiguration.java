package dev.pmemspring.boot.autoconfigure.transaction;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.transaction.PmemTransactionManager;
import dev.pmemspring.transaction.PmemTransactional;
import dev.pmemspring.core.PmemPool;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Fallback;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.ClassUtils;

/**
 * Registers {@code pmemTransactionManager}, so that {@code @Transactional("pmemTransactionManager")}
 * and {@link PmemTransactional @PmemTransactional} run methods in pool transactions.
 *
 * <p>It must not take the place of the application's main transaction manager: Boot's JDBC, JPA,
 * JTA and Neo4j auto-configurations create theirs only when no {@code TransactionManager} bean
 * exists, so this one is configured after them, and it is a {@link Fallback @Fallback} bean, so
 * that a plain {@code @Transactional} (which looks a transaction manager up by type) still picks
 * theirs. When the pool's is the only transaction manager, a plain {@code @Transactional} uses it.
 */
@AutoConfiguration(
        after = PmemPoolAutoConfiguration.class,
        beforeName = "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.transaction.jta.autoconfigure.JtaAutoConfiguration",
            "org.springframework.boot.data.neo4j.autoconfigure.DataNeo4jAutoConfiguration",
            "org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration"
        })
@ConditionalOnClass({PlatformTransactionManager.class, PmemTransactionManager.class})
@ConditionalOnBooleanProperty(name = "pmem.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(PmemPool.class)
public final class PmemTransactionAutoConfiguration {

    @Bean(PmemTransactional.TRANSACTION_MANAGER)
    @Fallback
    @ConditionalOnMissingBean(name = PmemTransactional.TRANSACTION_MANAGER)
    PmemTransactionManager pmemTransactionManager(PmemPool pool, BeanFactory beanFactory) {
        PmemTransactionManager manager = new PmemTransactionManager(pool);
        if (ClassUtils.isPresent(CUSTOMIZERS, PmemTransactionAutoConfiguration.class.getClassLoader())) {
            BootCustomizers.apply(beanFactory, manager);
        }
        return manager;
    }

    private static final String CUSTOMIZERS =
            "org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers";

    /** Boot's transaction manager customizers (spring-boot-transaction is optional). */
    private static final class BootCustomizers {

        static void apply(BeanFactory beanFactory, PmemTransactionManager manager) {
            beanFactory.getBeanProvider(TransactionManagerCustomizers.class).ifAvailable(c -> c.customize(manager));
        }
    }
}
