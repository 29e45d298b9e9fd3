package dev.pmemspring.boot.autoconfigure.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.pmemspring.boot.autoconfigure.PmemProperties;
import dev.pmemspring.cache.JdkValueSerializer;
import dev.pmemspring.cache.JsonValueSerializer;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.cache.ValueSerializer;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * Turns {@code pmem.cache.*} into {@link PmemCacheSettings}: the defaults, then each
 * {@code pmem.cache.caches.<name>.*} over them. Internal: not part of the public API.
 */
final class CacheSettingsFactory {

    private static final String JACKSON = "tools.jackson.databind.json.JsonMapper";

    private final PmemProperties.Cache props;

    private final List<String> applicationPatterns;

    private final Supplier<Object> jsonMapper;

    private final ClassLoader classLoader;

    private final Map<List<Object>, ValueSerializer> serializers = new LinkedHashMap<>();

    /**
     * @param applicationPatterns filter patterns of the application's packages, allowed in every cache
     * @param jsonMapper the application's {@code JsonMapper}, or a supplier of null
     */
    CacheSettingsFactory(PmemProperties.Cache props, List<String> applicationPatterns, Supplier<Object> jsonMapper,
            ClassLoader classLoader) {
        this.classLoader = classLoader;
        this.props = props;
        this.applicationPatterns = applicationPatterns;
        this.jsonMapper = jsonMapper;
    }

    PmemCacheSettings defaults() {
        String p = "pmem.cache.";
        PmemCacheSettings s = PmemCacheSettings.defaults();
        s = timeToLive(s, p + "time-to-live", props.getTimeToLive());
        s = maximumEntries(s, p + "maximum-entries", props.getMaximumEntries());
        s = maximumBytes(s, p + "maximum-bytes", props.getMaximumBytes());
        s = maximumValueSize(s, p + "maximum-value-size", props.getMaximumValueSize());
        s = s.withNullValues(props.isAllowNullValues());
        s = heapTier(s, p + "heap-tier-entries", props.getHeapTierEntries());
        return s.withSerializer(serializer(p + "serializer", props.getSerializer(), props.getAllowedClasses()));
    }

    PmemCacheSettings forCache(String name, PmemProperties.CacheSettings c, PmemCacheSettings defaults) {
        String p = "pmem.cache.caches." + name + ".";
        PmemCacheSettings s = defaults;
        s = timeToLive(s, p + "time-to-live", c.getTimeToLive());
        s = maximumEntries(s, p + "maximum-entries", c.getMaximumEntries());
        s = maximumBytes(s, p + "maximum-bytes", c.getMaximumBytes());
        s = maximumValueSize(s, p + "maximum-value-size", c.getMaximumValueSize());
        if (c.getAllowNullValues() != null) {
            s = s.withNullValues(c.getAllowNullValues());
        }
        s = heapTier(s, p + "heap-tier-entries", c.getHeapTierEntries());
        if (c.getSerializer() != null || c.getAllowedClasses() != null) {
            PmemProperties.Serializer kind = c.getSerializer() != null ? c.getSerializer() : props.getSerializer();
            List<String> allowed = c.getAllowedClasses() != null ? c.getAllowedClasses() : props.getAllowedClasses();
            s = s.withSerializer(serializer(p + "serializer", kind, allowed));
        }
        return s;
    }

    private ValueSerializer serializer(String property, PmemProperties.Serializer kind, List<String> allowed) {
        List<String> patterns = new ArrayList<>(applicationPatterns);
        if (allowed != null) {
            for (String pattern : allowed) {
                if (pattern != null && !pattern.isBlank()) {
                    patterns.add(pattern.strip());
                }
            }
        }
        PmemProperties.Serializer k = kind != null ? kind : PmemProperties.Serializer.JDK;
        return serializers.computeIfAbsent(List.of(k, List.copyOf(patterns)), key -> switch (k) {
            case JDK -> JdkValueSerializer.allowing(patterns);
            case JSON -> json(property, patterns);
        });
    }

    private ValueSerializer json(String property, List<String> patterns) {
        if (!ClassUtils.isPresent(JACKSON, classLoader)) {
            throw new InvalidConfigurationPropertyValueException(property, "json", "the json serializer needs"
                    + " Jackson 3 (tools.jackson.core:jackson-databind) on the class path; add it, or use 'jdk'");
        }
        return Json.serializer(patterns, jsonMapper.get());
    }

    private static PmemCacheSettings timeToLive(PmemCacheSettings s, String property, Duration ttl) {
        return ttl == null ? s : check(property, ttl, () -> s.withTimeToLive(ttl));
    }

    private static PmemCacheSettings maximumEntries(PmemCacheSettings s, String property, Long max) {
        return max == null ? s : check(property, max, () -> s.withMaximumEntries(max));
    }

    private static PmemCacheSettings maximumBytes(PmemCacheSettings s, String property, DataSize max) {
        return max == null ? s : check(property, max, () -> s.withMaximumBytes(max.toBytes()));
    }

    private static PmemCacheSettings maximumValueSize(PmemCacheSettings s, String property, DataSize max) {
        return max == null ? s : check(property, max, () -> s.withMaximumValueBytes(max.toBytes()));
    }

    private static PmemCacheSettings heapTier(PmemCacheSettings s, String property, Integer entries) {
        return entries == null ? s : check(property, entries, () -> s.withHeapTier(entries));
    }

    private static PmemCacheSettings check(String property, Object value, Supplier<PmemCacheSettings> apply) {
        try {
            return apply.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
        }
    }

    /** Jackson is optional: only this class refers to it. */
    private static final class Json {

        static ValueSerializer serializer(List<String> patterns, Object mapper) {
            if (mapper instanceof tools.jackson.databind.json.JsonMapper jsonMapper) {
                return JsonValueSerializer.allowing(patterns, jsonMapper);
            }
            return JsonValueSerializer.allowing(patterns.toArray(String[]::new));
        }
    }
}
