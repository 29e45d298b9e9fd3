package dev.pmemspring.jcache;

import java.net.URI;
import java.nio.file.Path;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * The child JVM of {@link JCacheCrashTest}: runs operation after operation through the JCache API
 * on the pool it is given, and prints each operation's number once it returned, until killed.
 * Operation {@code i} is fixed by {@code i} alone ({@link #key}, {@link #kind}), so the parent can
 * tell what the acknowledged ones did and what the one in flight may have done.
 */
public final class CrashWorkload {

    static final int KEYS = 64;
    static final String CACHE = "counters";

    enum Kind {
        PUT,
        INCREMENT,
        REMOVE
    }

    private CrashWorkload() {}

    static int key(long i) {
        return (int) ((i * 7) % KEYS);
    }

    static Kind kind(long i) {
        return Kind.values()[(int) (i % 3)];
    }

    /** The value {@code key} holds after operation {@code i} on it, given what it held before (null: absent). */
    static Long apply(long i, Long before) {
        return switch (kind(i)) {
            case PUT -> i;
            case INCREMENT -> (before == null ? 0 : before) + 1_000_000;
            case REMOVE -> null;
        };
    }

    public static void main(String[] args) throws Exception {
        Path pool = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        CacheManager manager = Caching.getCachingProvider().getCacheManager(pool.toUri(), null);
        Cache<Integer, Long> cache = manager.getCache(CACHE, Integer.class, Long.class);
        if (cache == null) {
            cache = manager.createCache(
                    CACHE, new MutableConfiguration<Integer, Long>().setTypes(Integer.class, Long.class));
        }
        System.out.print("READY\n");
        System.out.flush();
        for (long i = first; ; i++) {
            int key = key(i);
            switch (kind(i)) {
                case PUT -> cache.put(key, i);
                case INCREMENT ->
                    cache.invoke(key, (entry, a) -> {
                        entry.setValue((entry.exists() ? entry.getValue() : 0L) + 1_000_000);
                        return null;
                    });
                case REMOVE -> cache.remove(key);
            }
            System.out.print(i + "\n"); // acknowledged: the operation returned
        }
    }

    static URI uri(Path pool) {
        return pool.toUri();
    }
}
