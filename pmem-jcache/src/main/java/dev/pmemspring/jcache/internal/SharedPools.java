package dev.pmemspring.jcache.internal;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The pools the cache managers of this JVM hold: a pool has one owner, so managers of the same URI
 * for different class loaders share one, and it closes when the last of them does.
 */
final class SharedPools {

    private static final class Shared {
        final PmemPool pool;
        int users;

        Shared(PmemPool pool) {
            this.pool = pool;
        }
    }

    private static final Map<Path, Shared> POOLS = new HashMap<>();

    private SharedPools() {}

    static PmemPool acquire(Path path, PoolOptions options) {
        Path key = path.toAbsolutePath().normalize();
        synchronized (POOLS) {
            Shared shared = POOLS.get(key);
            if (shared == null) {
                try {
                    if (key.getParent() != null) {
                        Files.createDirectories(key.getParent());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create the folder of pool " + key, e);
                }
                shared = new Shared(PmemPool.openOrCreate(key, options));
                POOLS.put(key, shared);
            }
            shared.users++;
            return shared.pool;
        }
    }

    static void release(Path path) {
        Path key = path.toAbsolutePath().normalize();
        synchronized (POOLS) {
            Shared shared = POOLS.get(key);
            if (shared != null && --shared.users == 0) {
                POOLS.remove(key);
                shared.pool.close();
            }
        }
    }
}
