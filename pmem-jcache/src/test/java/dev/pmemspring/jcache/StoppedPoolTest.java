package dev.pmemspring.jcache;

import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.MemoryDecorator;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A JCache cache whose pool stopped taking changes (its storage failed a write-back once) serves no
 * value: the write that failed, and every one after it, is refused, so what the pool (or a
 * by-reference copy) holds may be older than the application's data. Hibernate, for one, logs a
 * failed second-level cache write and carries on.
 */
class StoppedPoolTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearDecorator() {
        MemoryDecorator.clear();
    }

    @ParameterizedTest(name = "store by value: {0}")
    @ValueSource(booleans = {true, false})
    void aStoppedPoolsCacheServesNoOlderValue(boolean byValue) {
        AtomicBoolean failNext = new AtomicBoolean();
        MemoryDecorator.set(inner -> failingOnce(inner, failNext));
        CacheManager manager = Caching.getCachingProvider()
                .getCacheManager(dir.resolve("j.pool").toUri(), null);
        MemoryDecorator.clear();
        try {
            Cache<String, String> cache = manager.createCache(
                    "prices",
                    new MutableConfiguration<String, String>()
                            .setTypes(String.class, String.class)
                            .setStoreByValue(byValue));
            cache.put("k", "old");
            cache.put("other", "kept");
            assertThat(cache.get("k")).isEqualTo("old");

            failNext.set(true); // the next write-back fails, once; the storage takes writes again after
            assertThatThrownBy(() -> cache.put("k", "new")).hasRootCauseInstanceOf(IOException.class);

            assertThat(cache.get("k")).isNull();
            assertThat(cache.get("other")).isNull();
            assertThat(cache.containsKey("other")).isFalse();
        } finally {
            manager.close();
        }
    }

    /** The pool's memory, whose next write-back after {@code failNext} is set fails as msync does on EIO. */
    private static PersistentMemory failingOnce(PersistentMemory inner, AtomicBoolean failNext) {
        return (PersistentMemory) Proxy.newProxyInstance(
                PersistentMemory.class.getClassLoader(),
                new Class<?>[] {PersistentMemory.class},
                (proxy, method, args) -> {
                    boolean writeBack =
                            method.getName().equals("flush") || method.getName().equals("persist");
                    if (writeBack && failNext.compareAndSet(true, false)) {
                        throw ((MappedMemory) inner)
                                .writeBackFailed(
                                        new UncheckedIOException(new IOException("Input/output error (simulated)")));
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
