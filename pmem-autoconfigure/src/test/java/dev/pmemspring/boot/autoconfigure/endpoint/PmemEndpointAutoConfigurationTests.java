package dev.pmemspring.boot.autoconfigure.endpoint;

import java.nio.file.Path;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class PmemEndpointAutoConfigurationTests {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(PmemPoolAutoConfiguration.class, PmemEndpointAutoConfiguration.class))
                .withPropertyValues("pmem.pool.path=" + dir.resolve("e.pool"), "pmem.pool.size=8MB");
    }

    @Test
    void availableWhenExposed() {
        runner().withPropertyValues("management.endpoints.web.exposure.include=pmem")
                .run(context -> {
                    assertThat(context).hasSingleBean(PmemEndpoint.class);
                    PmemEndpoint endpoint = context.getBean(PmemEndpoint.class);
                    PmemEndpoint.PoolDescriptor pool = endpoint.pool();
                    assertThat(pool.path()).isEqualTo(dir.resolve("e.pool").toString());
                    assertThat(pool.layout()).isEqualTo("spring");
                    assertThat(pool.durability()).isEqualTo("process");
                    assertThat(pool.space().poolSize()).isEqualTo(8L << 20);
                    assertThat(pool.space().initialSize()).isEqualTo(8L << 20);
                    assertThat(pool.space().maxSize()).isEqualTo(32L << 20);
                    assertThat(pool.space().growths()).isZero();
                    PmemEndpoint.CheckDescriptor check = endpoint.operation("check");
                    assertThat(check.clean()).isTrue();
                    assertThat(check.problems()).isEmpty();
                    assertThat(endpoint.operation("nothing")).isNull();
                });
    }

    @Test
    void notAvailableUnlessExposed() {
        runner().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PmemEndpoint.class));
    }

    @Test
    void notAvailableWhenAccessIsNone() {
        runner().withPropertyValues(
                        "management.endpoints.web.exposure.include=pmem", "management.endpoint.pmem.access=NONE")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PmemEndpoint.class));
    }

    @Test
    void absentWithoutTheActuator() {
        runner().withPropertyValues("management.endpoints.web.exposure.include=pmem")
                .withClassLoader(
                        new FilteredClassLoader(org.springframework.boot.actuate.endpoint.annotation.Endpoint.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PmemEndpoint.class));
    }
}
