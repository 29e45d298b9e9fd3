package dev.pmemspring.boot.autoconfigure.it;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** One INFO line per pool at start-up, the pool's own, saying what recovery did. */
@ExtendWith(OutputCaptureExtension.class)
class StartupLogTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableCaching
    static class App {}

    @Test
    void onePoolOneInfoLine(CapturedOutput output, @TempDir Path dir) {
        Path pool = dir.resolve("app.pool");
        start(pool); // creates it
        start(pool); // opens it

        List<String> lines = output.getAll()
                .lines()
                .filter(l -> l.contains(pool.toString()) && l.contains("INFO"))
                .toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("created pool " + pool).contains("durability PROCESS");
        assertThat(lines.get(1)).contains("opened pool " + pool).contains("recovery: nothing to recover in ");
    }

    private static void start(Path pool) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "pmem.pool.path=" + pool,
                        "pmem.pool.durability=process",
                        "logging.level.dev.pmemspring=INFO",
                        "spring.main.banner-mode=off",
                        "management.health.redis.enabled=false")
                .run()) {
            assertThat(context.isActive()).isTrue();
        }
    }
}
