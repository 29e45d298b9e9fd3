package dev.pmemspring.cache;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.cache.interceptor.SimpleKey;

/**
 * Ahead-of-time hints for the pmem cache, for Spring's AOT processing and GraalVM native images:
 * what the cache itself reaches by reflection (registered through {@code META-INF/spring/aot.factories},
 * nothing to do), and {@link #registerCachedTypes} for the types an application caches.
 *
 * <p>With the starter, the return and parameter types of {@code @Cacheable} and {@code @CachePut}
 * methods are registered by themselves. Types cached in other ways ({@code Cache.put} by hand, a
 * subclass returned where the method declares its parent) need a registrar of your own:
 *
 * <pre>{@code
 * @ImportRuntimeHints(CachedTypes.class)
 * @Configuration
 * class CacheConfig {
 *     static class CachedTypes implements RuntimeHintsRegistrar {
 *         public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
 *             CacheRuntimeHints.registerCachedTypes(hints, Quote.class, PriceList.class);
 *         }
 *     }
 * }
 * }</pre>
 */
public final class CacheRuntimeHints implements RuntimeHintsRegistrar {

    /** JDK classes whose serialized form names a class of its own (a serial proxy). */
    private static final List<String> SERIAL_PROXIES = List.of(
            "java.util.CollSer",
            "java.util.ImmutableCollections$ListN",
            "java.util.ImmutableCollections$List12",
            "java.util.ImmutableCollections$SetN",
            "java.util.ImmutableCollections$Set12",
            "java.util.ImmutableCollections$MapN",
            "java.util.ImmutableCollections$Map1",
            "java.time.Ser",
            "java.math.BigDecimal",
            "java.math.BigInteger");

    /** The JDK's value classes most cached values are made of (their fields are the JDK's concern). */
    private static final List<Class<?>> JDK_VALUES = List.of(
            String.class,
            Boolean.class,
            Character.class,
            Byte.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            Number.class,
            Enum.class,
            java.util.ArrayList.class,
            java.util.LinkedList.class,
            java.util.HashMap.class,
            java.util.LinkedHashMap.class,
            java.util.TreeMap.class,
            java.util.HashSet.class,
            java.util.LinkedHashSet.class,
            java.util.TreeSet.class,
            java.util.UUID.class,
            java.time.Instant.class,
            java.time.LocalDate.class,
            java.time.LocalDateTime.class,
            java.time.OffsetDateTime.class,
            java.time.ZonedDateTime.class,
            java.time.Duration.class,
            java.net.URI.class);

    /** Creates the registrar {@code aot.factories} names. */
    public CacheRuntimeHints() {}

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        ReflectionHints reflection = hints.reflection();
        // keys: Spring's SimpleKey is encoded from its parameters, read from its field
        reflection.registerType(SimpleKey.class, MemberCategory.ACCESS_DECLARED_FIELDS);
        reflection.registerJavaSerialization(SimpleKey.class);
        for (Class<?> type : JDK_VALUES) {
            // resolved by name when read back (every serializer), and written by JDK serialization
            reflection.registerType(type);
            if (Serializable.class.isAssignableFrom(type)) {
                reflection.registerJavaSerialization(type);
            }
        }
        for (String name : SERIAL_PROXIES) {
            try {
                reflection.registerJavaSerialization(Class.forName(name, false, Object.class.getClassLoader()));
            } catch (ClassNotFoundException notInThisJdk) {
                // a JDK that writes these values otherwise has no such class to register
            }
        }
    }

    /**
     * Registers what every serializer of the cache needs to write and read values of these types,
     * and of the application's types they are made of: resolving the class by name, its fields and
     * constructors (Fory, Java serialization), its bean properties (JSON) and Java serialization
     * where the type is {@link Serializable}. Types of the JDK are left to the cache's own hints.
     *
     * @param hints where the hints go
     * @param types the classes of cached values, or of cache keys other than strings and numbers
     */
    public static void registerCachedTypes(RuntimeHints hints, Class<?>... types) {
        ReflectionHints reflection = hints.reflection();
        new BindingReflectionHintsRegistrar().registerReflectionHints(reflection, types);
        Deque<Type> pending = new ArrayDeque<>(List.of(types));
        Set<Class<?>> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            Type next = pending.pop();
            if (next instanceof ParameterizedType p) {
                pending.push(p.getRawType());
                for (Type argument : p.getActualTypeArguments()) {
                    pending.push(argument);
                }
                continue;
            }
            if (!(next instanceof Class<?> type)) {
                continue; // a type variable or a wildcard: its bound is whatever the value turns out to be
            }
            while (type.isArray()) {
                type = type.getComponentType();
            }
            if (type.isPrimitive() || type.getName().startsWith("java.") || !seen.add(type)) {
                continue;
            }
            reflection.registerType(
                    type,
                    MemberCategory.ACCESS_DECLARED_FIELDS,
                    MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
                    MemberCategory.INVOKE_DECLARED_METHODS,
                    MemberCategory.UNSAFE_ALLOCATED);
            if (Serializable.class.isAssignableFrom(type)) {
                reflection.registerJavaSerialization(type);
            }
            if (type.getGenericSuperclass() != null) {
                pending.push(type.getGenericSuperclass());
            }
            for (Field f : type.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    pending.push(f.getGenericType());
                }
            }
        }
    }
}
