package dev.pmemspring.cache.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Class names to classes, through one class loader, remembered: {@link Class#forName} walks the
 * loader's delegation chain every time, a tenth of a cache hit's time without this. A new loader (a
 * devtools restart) gets a new resolver; failures are not remembered.
 */
public final class ClassResolver {

    private static final Map<String, Class<?>> PRIMITIVES = Map.of(
            "boolean",
            boolean.class,
            "byte",
            byte.class,
            "char",
            char.class,
            "short",
            short.class,
            "int",
            int.class,
            "long",
            long.class,
            "float",
            float.class,
            "double",
            double.class,
            "void",
            void.class);

    private final ClassLoader loader;
    private final ConcurrentHashMap<String, Class<?>> resolved = new ConcurrentHashMap<>();

    public ClassResolver(ClassLoader loader) {
        this.loader = loader;
    }

    public ClassLoader loader() {
        return loader;
    }

    public Class<?> resolve(String name) throws ClassNotFoundException {
        Class<?> type = resolved.get(name);
        if (type == null) {
            type = PRIMITIVES.get(name);
            if (type == null) {
                type = Class.forName(name, false, loader);
            }
            resolved.putIfAbsent(name, type);
        }
        return type;
    }
}
