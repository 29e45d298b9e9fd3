package dev.pmemspring.cache;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;

import java.nio.file.Path;

/** Pools for tests: in the test's temporary folder, process durability (no msync per write). */
final class TestPools {

    static final long SIZE = 32L << 20;

    private TestPools() {}

    static PoolOptions options() {
        return PoolOptions.layout("cache-test").withSize(SIZE).withDurability(Durability.PROCESS);
    }

    static PmemPool open(Path dir) {
        return PmemPool.openOrCreate(dir.resolve("cache.pool"), options());
    }
}
