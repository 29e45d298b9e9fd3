package dev.pmemspring.boot.autoconfigure.diagnostics;

import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.core.NotAPoolException;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolCorruptedException;
import dev.pmemspring.core.PoolFormatTooNewException;
import dev.pmemspring.core.PoolInUseException;
import dev.pmemspring.core.PoolLayoutMismatchException;
import dev.pmemspring.core.PoolNoSpaceException;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolOutOfMemoryException;
import dev.pmemspring.core.PoolTooSmallException;
import dev.pmemspring.core.PoolTruncatedException;
import dev.pmemspring.core.PoolUnsafeShutdownException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class PmemPoolFailureAnalyzerTests {

    private static final Path FILE = Path.of("/srv/app.pool");

    @TempDir
    Path dir;

    private final PmemPoolFailureAnalyzer analyzer = new PmemPoolFailureAnalyzer();

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(ex(PoolInUseException::new), "already open", "pmem.pool.path"),
                Arguments.of(ex(PoolLayoutMismatchException::new), "another layout", "pmem.pool.layout"),
                Arguments.of(ex(PoolCorruptedException::new), "damaged", "'check'"),
                Arguments.of(ex(PoolTruncatedException::new), "shorter", "backup"),
                Arguments.of(ex(NotAPoolException::new), "not a pmem pool", "pmem.pool.path"),
                Arguments.of(ex(PoolFormatTooNewException::new), "newer release", "Upgrade"),
                Arguments.of(ex(PoolNoSpaceException::new), "no room", "pmem.pool.size"),
                Arguments.of(ex(PoolTooSmallException::new), "too small", "8MB"),
                Arguments.of(ex(PoolUnsafeShutdownException::new), "machine crash", "pmem.pool.accept-unsafe-shutdown"),
                Arguments.of(new PoolOutOfMemoryException(FILE, 100, 10, 10), "out of memory", "pmem.pool.size"),
                Arguments.of(ex(PmemException::new), "could not be opened", "pmem.pool"));
    }

    private static PmemException ex(BiFunction<Path, String, PmemException> make) {
        return make.apply(FILE, "the core's own message");
    }

    @ParameterizedTest
    @MethodSource("failures")
    void explainsEachFailureAndTheActionToTake(PmemException failure, String description, String action) {
        FailureAnalysis analysis = analyzer.analyze(new BeanCreationException("pmemPool", "failed", failure));
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains(description).contains(failure.getMessage());
        assertThat(analysis.getAction()).contains(action);
        assertThat(analysis.getCause()).isSameAs(failure);
    }

    @Test
    void ignoresOtherFailures() {
        assertThat(analyzer.analyze(new IllegalStateException("x"))).isNull();
    }

    @Test
    void explainsARealStartUpFailure() {
        Path file = dir.resolve("layout.pool");
        PmemPool.create(file, PoolOptions.layout("billing").withSize(8L << 20)).close();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PmemPoolAutoConfiguration.class))
                .withPropertyValues("pmem.pool.path=" + file, "pmem.pool.layout=orders")
                .run(context -> {
                    FailureAnalysis analysis = analyzer.analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'billing'");
                    assertThat(analysis.getAction()).contains("pmem.pool.layout");
                });
    }

    @Test
    void isRegistered() throws Exception {
        var factories = Thread.currentThread().getContextClassLoader().getResources("META-INF/spring.factories");
        boolean found = false;
        while (factories.hasMoreElements()) {
            try (var in = factories.nextElement().openStream()) {
                found |= new String(in.readAllBytes()).contains(PmemPoolFailureAnalyzer.class.getName());
            }
        }
        assertThat(found).isTrue();
    }
}
