package dev.pmemspring.boot.autoconfigure.cache.coherence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.cache.PmemCacheAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.endpoint.PmemEndpoint;
import dev.pmemspring.boot.autoconfigure.endpoint.PmemEndpointAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.health.PmemHealthContributorAutoConfiguration;
import dev.pmemspring.boot.autoconfigure.health.PmemHealthIndicator;
import dev.pmemspring.cache.metrics.PmemCoherenceMetrics;
import dev.pmemspring.cache.CacheCoherence;
import dev.pmemspring.cache.CoherenceStatus;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.redis.RedisCacheCoherence;
import dev.pmemspring.cache.redis.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The coherence wiring against a private redis-server: off by default, on with one property, clear when it cannot be. */
class PmemCacheCoherenceAutoConfigurationTests {

    @TempDir
    static Path redisDir;

    static RedisServer redis;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(redisDir);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        DataRedisAutoConfiguration.class,
                        PmemCacheCoherenceAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class,
                        PmemHealthContributorAutoConfiguration.class,
                        PmemEndpointAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withPropertyValues(
                        "pmem.pool.path=" + dir.resolve("c.pool"),
                        "pmem.pool.size=16MB",
                        "spring.data.redis.host=" + redis.host(),
                        "spring.data.redis.port=" + redis.port(),
                        "management.endpoints.web.exposure.include=pmem");
    }

    @Test
    void offByDefaultEvenWithRedisPresent() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(CacheCoherence.class);
            assertThat(context.getBean(PmemCacheManager.class).coherence()).isSameAs(CacheCoherence.NONE);
            Health health = context.getBean(PmemHealthIndicator.class).health(true);
            assertThat(health.getDetails()).doesNotContainKey("coherence");
        });
    }

    @Test
    void onWithOneProperty() {
        runner().withPropertyValues("pmem.cache.coherence.mode=redis").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RedisCacheCoherence.class);
            RedisCacheCoherence coherence = context.getBean(RedisCacheCoherence.class);
            PmemCacheManager manager = context.getBean(PmemCacheManager.class);
            assertThat(manager.coherence()).isSameAs(coherence);
            assertThat(coherence.stream()).as("one stream per pool layout").isEqualTo("pmem:coherence:spring");
            awaitUp(coherence);

            manager.getCache("quotes").put("k", "v");
            awaitPublished(coherence, 1);

            Health health = context.getBean(PmemHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat((Map<String, Object>) health.getDetails().get("coherence"))
                    .containsEntry("state", "up")
                    .containsEntry("stream", "pmem:coherence:spring");
            PmemEndpoint.PoolDescriptor pool =
                    context.getBean(PmemEndpoint.class).pool();
            assertThat(pool.coherence()).isNotNull();
            assertThat(pool.coherence().published()).isEqualTo(1);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(PmemCoherenceMetrics.class).bindTo(registry);
            assertThat(registry.get("pmem.cache.coherence.events")
                            .tag("type", "published")
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(registry.get("pmem.cache.coherence.pending").gauge().value())
                    .isZero();
            assertThat(registry.get("pmem.cache.coherence.lag").timer()).isNotNull();
        });
    }

    @Test
    void aDegradedCoherenceShowsInHealthButLeavesItUp() {
        runner().withPropertyValues(
                        "pmem.cache.coherence.mode=redis",
                        "pmem.cache.coherence.stream=other",
                        "pmem.cache.coherence.catch-up-timeout=0s",
                        "spring.data.redis.port=" + unusedPort(),
                        "spring.data.redis.timeout=200ms",
                        "spring.data.redis.connect-timeout=200ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PmemCacheManager manager = context.getBean(PmemCacheManager.class);
                    manager.getCache("quotes").put("k", "v"); // no request fails because Redis is away
                    assertThat(manager.getCache("quotes").get("k").get()).isEqualTo("v");
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    Health health;
                    do {
                        health = context.getBean(PmemHealthIndicator.class).health(true);
                        Thread.sleep(50);
                    } while (!"degraded".equals(((Map<?, ?>) health.getDetails().get("coherence")).get("state"))
                            && System.nanoTime() < deadline);
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat((Map<String, Object>) health.getDetails().get("coherence"))
                            .containsEntry("state", "degraded")
                            .containsKey("reason")
                            .containsEntry("stream", "other");
                });
    }

    @Test
    void withoutTheRedisModuleStartUpSaysWhatToAdd() {
        runner().withClassLoader(new FilteredClassLoader(RedisCacheCoherence.class))
                .withPropertyValues("pmem.cache.coherence.mode=redis")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .hasMessageContaining("pmem-cache-redis")
                            .hasMessageContaining("spring-boot-starter-data-redis");
                });
    }

    @Test
    void rejectsAStreamThatKeepsNothing() {
        runner().withPropertyValues("pmem.cache.coherence.mode=redis", "pmem.cache.coherence.max-length=0")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                            .hasMessageContaining("pmem.cache.coherence.max-length");
                });
    }

    /** The follower starts on its own thread: up once it has read the stream (a loaded machine takes a while). */
    private static void awaitUp(RedisCacheCoherence coherence) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        CoherenceStatus status;
        while ((status = coherence.status()).state() != CoherenceStatus.State.UP) {
            assertThat(System.nanoTime()).as("coherence up; now %s", status).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void awaitPublished(RedisCacheCoherence coherence, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (coherence.status().published() < count) {
            assertThat(System.nanoTime()).as("published %d", count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static int unusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}
}
