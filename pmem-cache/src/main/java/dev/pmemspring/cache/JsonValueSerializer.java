package dev.pmemspring.cache;

import dev.pmemspring.cache.internal.ClassPatterns;
import dev.pmemspring.cache.internal.ClassResolver;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import tools.jackson.databind.type.TypeFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * JSON through Jackson 3, reading only classes on an allow-list. Needs
 * {@code tools.jackson.core:jackson-databind} on the class path.
 *
 * <pre>{@code
 * PmemCacheSettings.defaults()
 *         .withSerializer(JsonValueSerializer.allowing("com.example.catalogue.**"));
 * }</pre>
 *
 * The stored form is the value's class name, then its JSON. Nested values of non-final classes and
 * records carry their type (Jackson's default typing, checked against the same list), so a
 * {@code List<Quote>} of records comes back as such. A collection of final classes that are not
 * records loses its element type: use records, or {@link JdkValueSerializer}, for those.
 * Always allowed: {@code java.lang.*}, {@code java.util.**}, {@code java.time.**},
 * {@code java.math.*}.
 */
public final class JsonValueSerializer implements ValueSerializer {

    private static final List<String> ALWAYS = List.of("java.lang.*", "java.util.**", "java.time.**", "java.math.*");

    private final ClassPatterns allowed;
    private final JsonMapper mapper;
    private volatile Bound bound;

    private record Bound(ClassResolver classes, JsonMapper mapper) {}

    private JsonValueSerializer(List<String> extra, JsonMapper base) {
        List<String> all = new ArrayList<>(ALWAYS);
        all.addAll(extra);
        this.allowed = new ClassPatterns(all);
        BasicPolymorphicTypeValidator.Builder validator =
                BasicPolymorphicTypeValidator.builder().allowIfSubTypeIsArray();
        for (String p : all) {
            validator.allowIfSubType(Pattern.compile(regex(p)));
        }
        this.mapper = base.rebuild()
                .activateDefaultTyping(validator.build(), DefaultTyping.NON_FINAL_AND_RECORDS)
                .build();
    }

    /** The standard classes and those {@code patterns} match, with a default {@link JsonMapper}. */
    public static JsonValueSerializer allowing(String... patterns) {
        return allowing(List.of(patterns), JsonMapper.builder().build());
    }

    /**
     * The standard classes and those {@code patterns} match, written by a copy of {@code mapper}
     * (its modules and features kept; default typing set as described above).
     */
    public static JsonValueSerializer allowing(List<String> patterns, JsonMapper mapper) {
        return new JsonValueSerializer(patterns, mapper);
    }

    @Override
    public String id() {
        return "json";
    }

    @Override
    public byte[] serialize(Object value) {
        byte[] type = value.getClass().getName().getBytes(StandardCharsets.UTF_8);
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot write a " + value.getClass().getName() + " as JSON: " + e.getMessage(), e);
        }
        byte[] out = new byte[2 + type.length + json.length];
        out[0] = (byte) (type.length >>> 8);
        out[1] = (byte) type.length;
        System.arraycopy(type, 0, out, 2, type.length);
        System.arraycopy(json, 0, out, 2 + type.length, json.length);
        return out;
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader classLoader) throws Exception {
        return deserialize(bytes, 0, bytes.length, classLoader);
    }

    @Override
    public Object deserialize(byte[] bytes, int offset, int length, ClassLoader classLoader) throws Exception {
        int typeLength = (bytes[offset] & 0xFF) << 8 | bytes[offset + 1] & 0xFF;
        String type = new String(bytes, offset + 2, typeLength, StandardCharsets.UTF_8);
        if (!allowed.matches(type)) {
            throw new SecurityException("class " + type + " is not in the JSON serializer's allow-list");
        }
        Bound b = boundTo(classLoader);
        Class<?> cls = b.classes().resolve(type);
        int start = offset + 2 + typeLength;
        return b.mapper().readValue(bytes, start, offset + length - start, cls);
    }

    @Override
    public boolean allows(Class<?> type) {
        return allowed.matches(type.getName());
    }

    private Bound boundTo(ClassLoader loader) {
        Bound b = bound;
        if (b == null || b.classes().loader() != loader) {
            b = new Bound(
                    new ClassResolver(loader),
                    mapper.rebuild()
                            .typeFactory(TypeFactory.createDefaultInstance().withClassLoader(loader))
                            .build());
            bound = b;
        }
        return b;
    }

    private static String regex(String pattern) {
        if (pattern.endsWith(".**")) {
            return Pattern.quote(pattern.substring(0, pattern.length() - 2)) + ".*";
        }
        if (pattern.endsWith(".*")) {
            return Pattern.quote(pattern.substring(0, pattern.length() - 1)) + "[^.]*";
        }
        if (pattern.endsWith("*")) {
            return Pattern.quote(pattern.substring(0, pattern.length() - 1)) + ".*";
        }
        return Pattern.quote(pattern);
    }

    @Override
    public String toString() {
        return "JsonValueSerializer" + allowed.patterns();
    }
}
