package dev.pmemspring.transaction;

import java.nio.file.Path;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.annotation.EnableTransactionManagement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @PmemTransactional} in a plain Spring application: what a user without Boot writes. */
class PmemTransactionalTest {

    @TempDir
    static Path dir;

    @Test
    void aMethodRunsInOnePoolTransactionCommittedOnReturnAndRolledBackOnFailure() {
        try (var context = new AnnotationConfigApplicationContext(PlainSpringApplication.class)) {
            Counter counter = context.getBean(Counter.class);
            counter.add(5);
            assertThat(counter.value()).isEqualTo(5);
            assertThatThrownBy(() -> counter.addThenFail(7)).hasMessage("refused");
            assertThat(counter.value()).isEqualTo(5);
            assertThat(context.getBean(PmemPool.class).currentTransaction()).isEmpty();
        }
    }

    @Configuration
    @EnableTransactionManagement
    static class PlainSpringApplication {

        @Bean(destroyMethod = "close")
        PmemPool pool() {
            return PmemPool.create(
                    dir.resolve("plain.pool"),
                    PoolOptions.layout("tx-test").withSize(8L << 20).withDurability(Durability.PROCESS));
        }

        @Bean(PmemTransactional.TRANSACTION_MANAGER)
        PmemTransactionManager pmemTransactionManager(PmemPool pool) {
            return new PmemTransactionManager(pool);
        }

        @Bean
        Counter counter(PmemPool pool) {
            return new Counter(pool);
        }
    }

    static class Counter {

        private final PmemPool pool;

        Counter(PmemPool pool) {
            this.pool = pool;
        }

        @PmemTransactional
        public void add(long amount) {
            MemoryBlock root = pool.root(8);
            pool.currentTransaction().orElseThrow().putLong(root.handle(), root.getLong(0) + amount);
        }

        @PmemTransactional
        public void addThenFail(long amount) {
            add(amount); // a self-call: joins by thread, not through the proxy
            assertThat(value()).isEqualTo(5 + amount);
            throw new IllegalStateException("refused");
        }

        public long value() {
            return pool.root(8).getLong(0);
        }
    }
}
