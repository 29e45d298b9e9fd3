package dev.pmemspring.jcache.internal;

import dev.pmemspring.cache.ForyValueSerializer;
import dev.pmemspring.cache.JdkValueSerializer;
import dev.pmemspring.cache.ValueSerializer;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PoolOptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import javax.cache.CacheException;

import org.jspecify.annotations.Nullable;

/**
 * What a cache manager URI and the {@code pmem.jcache.*} settings resolve to: the pool file, its
 * options, and the serializer of its caches. A setting is looked up in the properties the manager
 * was asked with, then the system properties, then {@code pmem-jcache.properties} on the class path.
 */
public record JCacheSettings(Path poolPath, PoolOptions poolOptions, ValueSerializer serializer) {

    public static final String POOL = "pmem.jcache.pool";
    public static final String DIRECTORY = "pmem.jcache.directory";
    public static final String POOL_SIZE = "pmem.jcache.pool-size";
    public static final String POOL_MAX_SIZE = "pmem.jcache.pool-max-size";
    public static final String DURABILITY = "pmem.jcache.durability";
    public static final String SERIALIZER = "pmem.jcache.serializer";
    public static final String ALLOWED_CLASSES = "pmem.jcache.allowed-classes";
    public static final String LAYOUT = "pmem-jcache";
    private static final String FILE = "pmem-jcache.properties";

    public static JCacheSettings resolve(URI uri, URI defaultUri, Properties given, ClassLoader loader) {
        Properties file = fromClassPath(loader);
        Path path = poolPath(uri, defaultUri, given, file);
        long size = parseSize(POOL_SIZE, setting(POOL_SIZE, given, file), PoolOptions.DEFAULT_SIZE);
        // JCache has no eviction: a pool that grows is what keeps puts from failing. Four times the
        // size unless told otherwise, as the Boot starter's pools.
        long maxSize = parseSize(POOL_MAX_SIZE, setting(POOL_MAX_SIZE, given, file), 4 * size);
        if (maxSize < size) {
            throw new CacheException(POOL_MAX_SIZE + "=" + maxSize + " bytes is below " + POOL_SIZE + "=" + size
                    + " bytes; give at least the size (equal to it for a pool that never grows)");
        }
        PoolOptions options = PoolOptions.layout(LAYOUT).withSize(size).withMaxSize(maxSize);
        String durability = setting(DURABILITY, given, file);
        if (durability != null) {
            try {
                options = options.withDurability(
                        Durability.valueOf(durability.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new CacheException(
                        DURABILITY + "=" + durability + " is not a durability: use 'sync' or 'process'");
            }
        } else {
            options = options.withDurability(Durability.PROCESS);
        }
        return new JCacheSettings(path, options, serializer(given, file));
    }

    private static Path poolPath(URI uri, URI defaultUri, Properties given, Properties file) {
        if ("file".equals(uri.getScheme())) {
            return Path.of(uri);
        }
        if (uri.equals(defaultUri)) {
            String pool = setting(POOL, given, file);
            if (pool != null) {
                return Path.of(pool);
            }
        }
        String dir = setting(DIRECTORY, given, file);
        Path directory = dir != null
                ? Path.of(dir)
                : Path.of(System.getProperty("java.io.tmpdir"), "pmem-jcache-" + System.getProperty("user.name"));
        String name = uri.equals(defaultUri) ? "default" : uri.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return directory.resolve(name + ".pool");
    }

    private static ValueSerializer serializer(Properties given, Properties file) {
        List<String> allowed = new ArrayList<>();
        String list = setting(ALLOWED_CLASSES, given, file);
        if (list != null) {
            for (String p : list.split(",")) {
                if (!p.isBlank()) {
                    allowed.add(p.trim());
                }
            }
        }
        String name = setting(SERIALIZER, given, file);
        return switch (name == null ? "fory" : name.trim().toLowerCase(Locale.ROOT)) {
            case "fory" -> ForyValueSerializer.allowing(allowed);
            case "jdk" -> JdkValueSerializer.allowing(allowed);
            default -> throw new CacheException(SERIALIZER + "=" + name + " is not a serializer: use 'fory' or 'jdk'");
        };
    }

    static @Nullable String setting(String name, Properties given, Properties file) {
        String v = given.getProperty(name);
        if (v == null) {
            v = System.getProperty(name);
        }
        if (v == null) {
            v = file.getProperty(name);
        }
        return v == null || v.isBlank() ? null : v;
    }

    private static Properties fromClassPath(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(FILE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new CacheException("cannot read " + FILE + " from the class path: " + e.getMessage(), e);
        }
        return p;
    }

    private static long parseSize(String name, @Nullable String value, long fallback) {
        if (value == null) {
            return fallback;
        }
        String v = value.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("GB")) {
            unit = 1L << 30;
        } else if (v.endsWith("MB")) {
            unit = 1L << 20;
        } else if (v.endsWith("KB")) {
            unit = 1L << 10;
        }
        String digits = unit == 1 ? v.replace("B", "") : v.substring(0, v.length() - 2);
        try {
            return Long.parseLong(digits.trim()) * unit;
        } catch (NumberFormatException e) {
            throw new CacheException(name + "=" + value + " is not a size: use bytes or a number with KB, MB or GB");
        }
    }
}
