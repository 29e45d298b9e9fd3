package dev.pmemspring.boot.autoconfigure.cache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.pmemspring.boot.autoconfigure.PmemProperties;
import dev.pmemspring.cache.ForyValueSerializer;
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
    CacheSettingsFactory(
            PmemProperties.Cache props,
            List<String> applicationPatterns,
            Supplier<Object> jsonMapper,
            ClassLoader classLoader) {
        this.classLoader = classLoader;
        this.props = props;
        this.applicationPatterns = applicationPatterns;
        this.jsonMapper = jsonMapper;
    }

    /** Every cache's settings: {@code pmem.cache.*} over {@link PmemCacheSettings#defaults()}. */
    PmemCacheSettings defaults() {
        PmemCacheSettings base = PmemCacheSettings.defaults();
        // the serializer always comes from here, so that the application's packages are allowed
        return merge("pmem.cache.", props, base.withSerializer(serializer("pmem.cache.serializer", null, null)));
    }

    /** One cache's settings: {@code pmem.cache.caches.<name>.*} over {@code defaults}. */
    PmemCacheSettings forCache(String name, PmemProperties.CacheSettings c, PmemCacheSettings defaults) {
        return merge("pmem.cache.caches." + name + ".", c, defaults);
    }

    /** The set values of {@code c} over {@code s}; the one merge of properties into settings. */
    private PmemCacheSettings merge(String prefix, PmemProperties.CacheSettings c, PmemCacheSettings s) {
        s = set(s, prefix + "time-to-live", c.getTimeToLive(), s::withTimeToLive);
        s = set(s, prefix + "time-to-idle", c.getTimeToIdle(), s::withTimeToIdle);
        s = set(s, prefix + "refresh-ahead", c.getRefreshAhead(), s::withRefreshAhead);
        s = set(s, prefix + "maximum-entries", c.getMaximumEntries(), s::withMaximumEntries);
        s = set(s, prefix + "maximum-bytes", c.getMaximumBytes(), s::withMaximumBytes, DataSize::toBytes);
        s = set(s, prefix + "maximum-value-size", c.getMaximumValueSize(), s::withMaximumValueBytes, DataSize::toBytes);
        s = set(s, prefix + "allow-null-values", c.getAllowNullValues(), s::withNullValues);
        if (c.getHeapTierEntries() != null && c.getHeapTierBytes() != null) {
            throw new InvalidConfigurationPropertyValueException(
                    prefix + "heap-tier-bytes",
                    c.getHeapTierBytes(),
                    "a heap tier is bounded by entries or by bytes, and " + prefix
                            + "heap-tier-entries is set too; remove one of them");
        }
        s = set(s, prefix + "heap-tier-entries", c.getHeapTierEntries(), s::withHeapTier);
        s = set(s, prefix + "heap-tier-bytes", c.getHeapTierBytes(), s::withHeapTierBytes, DataSize::toBytes);
        if (c.getSerializer() != null || c.getAllowedClasses() != null) {
            s = s.withSerializer(serializer(prefix + "serializer", c.getSerializer(), c.getAllowedClasses()));
        }
        return s;
    }

    /** A serializer of {@code kind} allowing {@code allowed}; each falls back to the top level when null. */
    private ValueSerializer serializer(String property, PmemProperties.Serializer kind, List<String> allowed) {
        kind = kind != null ? kind : props.getSerializer();
        allowed = allowed != null ? allowed : props.getAllowedClasses();
        List<String> patterns = new ArrayList<>(applicationPatterns);
        if (allowed != null) {
            for (String pattern : allowed) {
                if (pattern != null && !pattern.isBlank()) {
                    patterns.add(pattern.strip());
                }
            }
        }
        PmemProperties.Serializer k = kind != null ? kind : PmemProperties.Serializer.FORY;
        return serializers.computeIfAbsent(List.of(k, List.copyOf(patterns)), key -> switch (k) {
            case FORY -> ForyValueSerializer.allowing(patterns);
            case JDK -> JdkValueSerializer.allowing(patterns);
            case JSON -> json(property, patterns);
        });
    }

    private ValueSerializer json(String property, List<String> patterns) {
        if (!ClassUtils.isPresent(JACKSON, classLoader)) {
            throw new InvalidConfigurationPropertyValueException(
                    property,
                    "json",
                    "the json serializer needs"
                            + " Jackson 3 (tools.jackson.core:jackson-databind) on the class path; add it, or use 'fory' or 'jdk'");
        }
        return Json.serializer(patterns, jsonMapper.get());
    }

    private static <T> PmemCacheSettings set(
            PmemCacheSettings s, String property, T value, Function<T, PmemCacheSettings> with) {
        return set(s, property, value, with, v -> v);
    }

    /** {@code with(convert(value))}, or {@code s} when the property is unset; a refused value names the property. */
    private static <T, V> PmemCacheSettings set(
            PmemCacheSettings s,
            String property,
            T value,
            Function<V, PmemCacheSettings> with,
            Function<T, V> convert) {
        if (value == null) {
            return s;
        }
        try {
            return with.apply(convert.apply(value));
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
