package dev.pmemspring.boot.autoconfigure.it;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.pmemspring.transaction.PmemTransactional;
import dev.pmemspring.boot.autoconfigure.endpoint.PmemEndpoint;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.stereotype.Service;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The starter as an application sees it: caching, the pool's transactions next to JDBC's, meters,
 * health and the actuator endpoints.
 */
@SpringBootTest(
        classes = PmemApplicationTests.App.class,
        properties = {
            "pmem.pool.size=16MB",
            "pmem.cache.cache-names=quotes",
            "pmem.cache.dynamic=true",
            "pmem.cache.caches.quotes.time-to-live=10m",
            "pmem.health.free-space-warning-threshold=0.05",
            "spring.datasource.generate-unique-name=true",
            "management.endpoints.web.exposure.include=health,pmem,caches",
            "management.endpoint.health.show-details=always",
            // Spring Data Redis is on this module's test class path for the coherence tests; no Redis runs here
            "management.health.redis.enabled=false"
        })
class PmemApplicationTests {

    @TempDir
    static Path dir;

    @DynamicPropertySource
    static void pool(DynamicPropertyRegistry registry) {
        registry.add("pmem.pool.path", () -> dir.resolve("pools/app.pool").toString());
    }

    @Autowired
    QuoteService quotes;

    @Autowired
    Ledger ledger;

    @Autowired
    PmemPool pool;

    @Autowired
    CacheManager cacheManager;

    @Autowired
    MeterRegistry registry;

    @Autowired
    HealthEndpoint health;

    @Autowired
    PmemEndpoint pmemEndpoint;

    @Autowired
    CachesEndpoint cachesEndpoint;

    @Autowired
    PlatformTransactionManager transactionManager;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void reset() {
        cacheManager.getCacheNames().forEach(name -> cacheManager.getCache(name).clear());
    }

    @Test
    void theCacheIsThePmemCacheAndServesCachedValues() {
        assertThat(cacheManager).isInstanceOf(PmemCacheManager.class);
        int before = quotes.calls();
        Quote first = quotes.quote("ACME");
        Quote second = quotes.quote("ACME");
        assertThat(second).isEqualTo(first); // a record of the application's package: read back by default
        assertThat(quotes.calls()).isEqualTo(before + 1);
        assertThat(((PmemCacheManager) cacheManager)
                        .getCache("quotes")
                        .settings()
                        .timeToLive())
                .hasMinutes(10);
    }

    @Test
    void cacheMetersCarryBootsStandardNamesAndTags() {
        quotes.quote("M1");
        quotes.quote("M1");
        quotes.quote("M2");
        assertThat(registry.get("cache.gets")
                        .tags("cache", "quotes", "cache.manager", "cacheManager", "result", "hit")
                        .functionCounter()
                        .count())
                .isGreaterThanOrEqualTo(1);
        assertThat(registry.get("cache.gets")
                        .tags("cache", "quotes", "result", "miss")
                        .functionCounter()
                        .count())
                .isGreaterThanOrEqualTo(2);
        assertThat(registry.get("cache.puts")
                        .tag("cache", "quotes")
                        .functionCounter()
                        .count())
                .isGreaterThanOrEqualTo(2);
        assertThat(registry.get("cache.size").tag("cache", "quotes").gauge().value())
                .isEqualTo(2);
        assertThat(registry.get("cache.evictions").tag("cache", "quotes").functionCounter())
                .isNotNull();
        assertThat(registry.get("cache.pmem.bytes")
                        .tag("cache", "quotes")
                        .gauge()
                        .value())
                .isPositive();
    }

    @Test
    void cachesCreatedAtRunTimeGetMetersToo() {
        quotes.price("ACME"); // 'prices' is created on first use, after Boot bound the caches it knew
        quotes.price("ACME");
        assertThat(registry.get("cache.gets")
                        .tags("cache", "prices", "result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("cache.size")
                        .tag("cache", "prices")
                        .tag("cache.manager", "cacheManager")
                        .gauge()
                        .value())
                .isEqualTo(1);
    }

    @Test
    void poolMetersArePublished() {
        assertThat(registry.get("pmem.pool.size")
                        .tag("durability", "process")
                        .gauge()
                        .value())
                .isEqualTo(16L << 20);
        assertThat(registry.get("pmem.pool.free").gauge().value()).isPositive();
        assertThat(registry.get("pmem.pool.transactions")
                        .tag("result", "committed")
                        .functionCounter())
                .isNotNull();
        assertThat(registry.get("pmem.pool.recovery.time").timeGauge()).isNotNull();
    }

    @Test
    void healthShowsThePool() {
        IndicatedHealthDescriptor pmem = (IndicatedHealthDescriptor) health.healthForPath("pmem");
        assertThat(pmem.getStatus()).isEqualTo(Status.UP);
        assertThat(pmem.getDetails())
                .containsEntry("path", dir.resolve("pools/app.pool").toString())
                .containsEntry("durability", "process")
                .containsEntry("lowFreeSpace", false)
                .containsKeys("size", "used", "free", "freeRatio");
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void theEndpointDescribesThePoolAndItsCaches() {
        quotes.quote("E1");
        quotes.quote("E1");
        PmemEndpoint.PoolDescriptor described = pmemEndpoint.pool();
        assertThat(described.layout()).isEqualTo("spring");
        assertThat(described.space().poolSize()).isEqualTo(16L << 20);
        assertThat(described.caches()).containsKey("quotes");
        PmemEndpoint.CacheDescriptor q = described.caches().get("quotes");
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.hits()).isGreaterThanOrEqualTo(1);
        assertThat(q.settings().timeToLive()).isEqualTo("PT10M");
        assertThat(q.settings().serializer()).isEqualTo("fory");
        assertThat(pmemEndpoint.operation("check").clean()).isTrue();
        // what the actuator writes: plain JSON
        String json = JsonMapper.builder().build().writeValueAsString(described);
        assertThat(json).contains("\"quotes\"").contains("\"poolSize\":" + (16L << 20));
    }

    @Test
    void bootsCachesEndpointListsAndClearsPmemCaches() {
        quotes.quote("C1");
        assertThat(cachesEndpoint.caches().getCacheManagers()).containsKey("cacheManager");
        assertThat(cachesEndpoint
                        .caches()
                        .getCacheManagers()
                        .get("cacheManager")
                        .getCaches())
                .containsKey("quotes");
        assertThat(cachesEndpoint.cache("quotes", null).getTarget()).isEqualTo("dev.pmemspring.core.PmemMap");
        assertThat(cachesEndpoint.clearCache("quotes", null)).isTrue();
        assertThat(((PmemCacheManager) cacheManager).getCache("quotes").estimatedSize())
                .isZero();
        int before = quotes.calls();
        quotes.quote("C1");
        assertThat(quotes.calls()).isEqualTo(before + 1);
    }

    @Test
    void pmemTransactionalCommitsAndRollsBackPoolTransactions() {
        MemoryBlock root = pool.root(64);
        long start = root.getLong(0);
        ledger.add(5);
        assertThat(root.getLong(0)).isEqualTo(start + 5);
        assertThatThrownBy(() -> ledger.addAndFail(7)).isInstanceOf(IllegalStateException.class);
        assertThat(root.getLong(0)).isEqualTo(start + 5);
        assertThat(pool.currentTransaction()).isEmpty();
    }

    @Test
    void plainTransactionalPicksTheJdbcTransactionManager() {
        assertThat(transactionManager).isInstanceOf(JdbcTransactionManager.class);
        ledger.insertRow();
        assertThat(jdbc.queryForObject("select count(*) from entries", Integer.class))
                .isPositive();
        assertThatThrownBy(ledger::insertRowAndFail).isInstanceOf(IllegalStateException.class);
        assertThat(jdbc.queryForObject("select count(*) from entries where note = 'rolled back'", Integer.class))
                .isZero();
    }

    @Test
    void namingThePmemTransactionManagerWorksToo() {
        MemoryBlock root = pool.root(64);
        long start = root.getLong(0);
        ledger.addByName(2);
        assertThat(root.getLong(0)).isEqualTo(start + 2);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableCaching
    static class App {

        @Bean
        SimpleMeterRegistry simpleMeterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        QuoteService quoteService() {
            return new QuoteService();
        }

        @Bean
        Ledger ledger(PmemPool pool, JdbcTemplate jdbc, DataSource dataSource) {
            jdbc.execute("create table if not exists entries (id identity primary key, note varchar(64))");
            return new Ledger(pool, jdbc, dataSource);
        }
    }

    /** A cached value of the application's own class. */
    public record Quote(String symbol, long price) implements Serializable {}

    @Service
    public static class QuoteService {

        private final AtomicInteger calls = new AtomicInteger();

        public int calls() {
            return calls.get();
        }

        @Cacheable("quotes")
        public Quote quote(String symbol) {
            calls.incrementAndGet();
            return new Quote(symbol, 100 + symbol.length());
        }

        @Cacheable("prices")
        public Long price(String symbol) {
            return 42L;
        }
    }

    public static class Ledger {

        private final PmemPool pool;

        private final JdbcTemplate jdbc;

        private final DataSource dataSource;

        Ledger(PmemPool pool, JdbcTemplate jdbc, DataSource dataSource) {
            this.pool = pool;
            this.jdbc = jdbc;
            this.dataSource = dataSource;
        }

        @PmemTransactional
        public void add(long amount) {
            MemoryBlock root = pool.root(64);
            pool.currentTransaction().orElseThrow().putLong(root.handle(), root.getLong(0) + amount);
        }

        @PmemTransactional
        public void addAndFail(long amount) {
            add(amount);
            throw new IllegalStateException("after writing");
        }

        @Transactional(PmemTransactional.TRANSACTION_MANAGER)
        public void addByName(long amount) {
            assertThat(TransactionSynchronizationManager.getResource(pool)).isNotNull();
            add(amount);
        }

        @Transactional
        public void insertRow() {
            assertThat(TransactionSynchronizationManager.hasResource(dataSource))
                    .isTrue();
            assertThat(pool.currentTransaction()).isEmpty();
            jdbc.update("insert into entries (note) values ('committed')");
        }

        @Transactional
        public void insertRowAndFail() {
            jdbc.update("insert into entries (note) values ('rolled back')");
            throw new IllegalStateException("after inserting");
        }
    }
}
