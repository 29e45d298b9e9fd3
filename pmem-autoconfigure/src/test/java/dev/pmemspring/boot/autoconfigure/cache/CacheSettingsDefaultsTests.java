package dev.pmemspring.boot.autoconfigure.cache;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.pmemspring.boot.autoconfigure.PmemPoolAutoConfiguration;
import dev.pmemspring.cache.PmemCacheManager;
import dev.pmemspring.cache.PmemCacheSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PmemCacheSettings#defaults()} owns a cache's defaults; the properties leave them unset. The
 * defaults the IDE shows (declared in the additional metadata) must say the same.
 */
class CacheSettingsDefaultsTests {

    @TempDir
    Path dir;

    @Test
    void aCacheWithNoPropertiesGetsTheSettingsDefaults() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PmemPoolAutoConfiguration.class,
                        PmemCacheAutoConfiguration.class,
                        CacheAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withPropertyValues("pmem.pool.path=" + dir.resolve("c.pool"), "pmem.pool.size=8MB")
                .run(context -> {
                    PmemCacheSettings s = context.getBean(PmemCacheManager.class)
                            .getCache("any")
                            .settings();
                    PmemCacheSettings d = PmemCacheSettings.defaults();
                    assertThat(s.timeToLive()).isEqualTo(d.timeToLive());
                    assertThat(s.maximumEntries()).isEqualTo(d.maximumEntries());
                    assertThat(s.maximumBytes()).isEqualTo(d.maximumBytes());
                    assertThat(s.maximumValueBytes()).isEqualTo(d.maximumValueBytes());
                    assertThat(s.nullValues()).isEqualTo(d.nullValues());
                    assertThat(s.heapTier()).isEqualTo(d.heapTier());
                    assertThat(s.serializer().id()).isEqualTo(d.serializer().id());
                });
    }

    @Test
    void theMetadataDefaultsAreTheSettingsDefaults() throws Exception {
        Map<String, JsonNode> defaults = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            for (JsonNode property : JsonMapper.shared().readTree(in).get("properties")) {
                if (property.has("defaultValue")) {
                    defaults.put(property.get("name").asString(), property.get("defaultValue"));
                }
            }
        }
        PmemCacheSettings d = PmemCacheSettings.defaults();
        assertThat(DataSize.parse(defaults.get("pmem.cache.maximum-value-size").asString())
                        .toBytes())
                .isEqualTo(d.maximumValueBytes());
        assertThat(defaults.get("pmem.cache.allow-null-values").asBoolean()).isEqualTo(d.nullValues());
        assertThat(defaults.get("pmem.cache.heap-tier-entries").asInt()).isEqualTo(d.heapTier());
        assertThat(defaults.get("pmem.cache.serializer").asString())
                .isEqualTo(d.serializer().id());
        // no default is declared for what is unbounded or never expires
        assertThat(defaults)
                .doesNotContainKeys(
                        "pmem.cache.time-to-live", "pmem.cache.maximum-entries", "pmem.cache.maximum-bytes");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}
}
