package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolOutOfMemoryException;

import java.nio.file.Path;

/**
 * Fills a growable pool's map on a file system smaller than the pool's maximum, and prints what it met: the out-of-memory error and
 * its cause, the pool's figures, and whether the pool still takes writes once space is freed.
 */
public final class GrowthNoSpaceChild {

    public static void main(String[] args) throws java.io.IOException {
        Path path = Path.of(args[0]);
        PoolOptions options = PoolOptions.layout("nospace")
                .withSize(8L << 20)
                .withMaxSize(256L << 20)
                .withGrowthStep(4L << 20)
                .withDurability(Durability.valueOf(args[1]));
        try (PmemPool pool = PmemPool.create(path, options)) {
            PmemMap map = pool.map("m");
            byte[] value = new byte[2000];
            int stored = 0;
            try {
                for (; stored < 1_000_000; stored++) {
                    map.put(("k" + stored).getBytes(), value);
                }
                System.out.println("NO-FAILURE");
                return;
            } catch (PoolOutOfMemoryException e) {
                System.out.println("OOM " + stored);
                System.out.println("CAUSE "
                        + (e.getCause() == null
                                ? "none"
                                : e.getCause().getClass().getSimpleName()));
                System.out.println(
                        "MESSAGE " + (e.getCause() == null ? "" : e.getCause().getMessage()));
            }
            System.out.println("SIZE " + pool.stats().poolSize());
            System.out.println("FILE " + java.nio.file.Files.size(path));
            System.out.println("FAILURES " + pool.stats().growthFailures());
            for (int i = 0; i < 1000; i++) {
                map.remove(("k" + i).getBytes());
            }
            for (int i = 0; i < 500; i++) {
                map.put(("again" + i).getBytes(), value);
            }
            System.out.println("ENTRIES " + map.size());
            System.out.println("CHECK " + pool.check().problems().size());
        }
    }

    private GrowthNoSpaceChild() {}
}
