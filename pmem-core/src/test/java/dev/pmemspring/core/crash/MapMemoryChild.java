package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Fills a map with many small entries in a JVM whose heap could not hold one object per entry,
 * reads some back, and prints {@code OK} with the pool figures.
 */
public final class MapMemoryChild {

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        int entries = Integer.parseInt(args[1]);
        try (PmemPool pool = PmemPool.create(
                path,
                PoolOptions.layout("heap").withSize(Long.parseLong(args[2])).withDurability(Durability.PROCESS))) {
            PmemMap map = pool.map("m");
            ByteBuffer key = ByteBuffer.allocate(16);
            for (int i = 0; i < entries; i++) {
                map.put(key.clear().putLong(i).putLong(~i).array(), key.array());
            }
            for (int i = 0; i < entries; i += 997) {
                if (map.get(key.clear().putLong(i).putLong(~i).array()) == null) {
                    throw new AssertionError("lost entry " + i);
                }
            }
            System.out.println("OK " + map.size() + " " + pool.stats().used());
        }
    }

    private MapMemoryChild() {}
}
