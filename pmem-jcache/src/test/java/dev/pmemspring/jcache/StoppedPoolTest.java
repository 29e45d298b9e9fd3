package dev.pmemspring.jcache;

import dev.pmemspring.core.testing.FailingWriteBacks;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A JCache cache whose pool stopped taking changes (its storage failed a write-back once) serves no
 * value and makes no change: the write that failed, and every one after it, is refused, so what
 * the pool (or a by-reference copy) holds may be older than the application's data. Every
 * operation throws {@link CacheException}, reads too, and a change throws before its writer runs.
 */
class StoppedPoolTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "store by value: {0}")
    @ValueSource(booleans = {true, false})
    void aStoppedPoolsCacheServesNoOlderValue(boolean byValue) {
        FailingWriteBacks storage = new FailingWriteBacks();
        CacheManager manager = storage.opening(() -> Caching.getCachingProvider()
                .getCacheManager(dir.resolve("j.pool").toUri(), null));
        try {
            Cache<String, String> cache = manager.createCache(
                    "prices",
                    new MutableConfiguration<String, String>()
                            .setTypes(String.class, String.class)
                            .setStoreByValue(byValue)
                            .setWriteThrough(true)
                            .setCacheWriterFactory(() -> new CountingWriter()));
            cache.put("k", "old");
            cache.put("other", "kept");
            assertThat(cache.get("k")).isEqualTo("old");
            int before = writes;

            storage.failNext(); // the next write-back fails, once; the storage takes writes again after
            assertThatThrownBy(() -> cache.put("k", "new")).hasRootCauseInstanceOf(IOException.class);

            // Every operation fails, reads too, and a change before its writer runs.
            assertThatThrownBy(() -> cache.get("k")).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> cache.get("other")).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> cache.iterator()).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> cache.putIfAbsent("k", "x")).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> cache.remove("other")).isInstanceOf(CacheException.class);
            assertThat(writes).isEqualTo(before + 1); // only the put that failed reached the writer
            // The manager's changes fail as JCache failures too, and leave the cache as it was.
            assertThatThrownBy(() -> manager.destroyCache("prices")).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> manager.createCache("more", new MutableConfiguration<String, String>()))
                    .isInstanceOf(CacheException.class);
            assertThat(cache.isClosed()).isFalse();
        } finally {
            manager.close();
        }
        // After the restart the refused writes are still unknown: the cache starts empty.
        CacheManager again = Caching.getCachingProvider()
                .getCacheManager(dir.resolve("j.pool").toUri(), null);
        try {
            Cache<String, String> cache = again.getCache("prices", String.class, String.class);
            assertThat(cache.get("k")).isNull();
            assertThat(cache.get("other")).isNull();
        } finally {
            again.close();
        }
    }

    private static int writes;

    /** A write-through writer that counts the changes it is asked to make. */
    static final class CountingWriter implements CacheWriter<String, String>, java.io.Serializable {
        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
            writes++;
        }

        @Override
        public void writeAll(java.util.Collection<Cache.Entry<? extends String, ? extends String>> entries) {
            writes += entries.size();
            entries.clear();
        }

        @Override
        public void delete(Object key) {
            writes++;
        }

        @Override
        public void deleteAll(java.util.Collection<?> keys) {
            writes += keys.size();
            keys.clear();
        }
    }
}
