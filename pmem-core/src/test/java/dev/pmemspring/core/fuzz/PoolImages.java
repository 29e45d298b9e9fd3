package dev.pmemspring.core.fuzz;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The pool images the fuzzer damages, made once: a pool that holds two maps (puts, overwrites of the
 * same and of other sizes, removals), a root block with blocks linked from it, transactions and
 * free space. {@link #before} is the file before the last round of writes and {@link #after} the
 * file after it, so that a torn write can mix the two page by page. {@link #stored} is every value
 * ever stored under each key, which is all a read may return.
 */
final class PoolImages {

    static final PoolOptions OPTIONS = PoolOptions.layout("fuzz")
            .withSize(8L << 20)
            .withDurability(Durability.PROCESS)
            .withAcceptUnsafeShutdown(true);

    static final String[] MAPS = {"quotes", "sessions"};
    static final int KEYS = 300;

    final byte[] before;
    final byte[] after;
    final Map<String, Set<String>> stored = new HashMap<>();

    private PoolImages(byte[] before, byte[] after) {
        this.before = before;
        this.after = after;
    }

    static PoolImages build(Path dir) {
        try {
            Path file = dir.resolve("base.pool");
            Map<String, Set<String>> stored = new HashMap<>();
            try (PmemPool pool = PmemPool.create(file, OPTIONS)) {
                MemoryBlock root = pool.root(64);
                for (int i = 0; i < 4; i++) {
                    int n = i;
                    pool.allocateInto(root.fieldHandle(8L * i), 512 + 4096L * i, b -> b.putLong(0, n));
                }
                round(pool, stored, 0);
                round(pool, stored, 1);
                pool.freeFrom(root.fieldHandle(8)); // free space between live blocks
            }
            byte[] before = Files.readAllBytes(file);
            try (PmemPool pool = PmemPool.open(file, OPTIONS)) {
                round(pool, stored, 2);
            }
            byte[] after = Files.readAllBytes(file);
            Files.delete(file);
            PoolImages images = new PoolImages(before, after);
            images.stored.putAll(stored);
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One round of writes: puts (new, overwrites of the same size and of others), removals, a transaction. */
    private static void round(PmemPool pool, Map<String, Set<String>> stored, int round) {
        for (String name : MAPS) {
            PmemMap map = pool.map(name);
            for (int k = 0; k < KEYS; k++) {
                if ((k + round) % 7 == 0 && round > 0) {
                    map.remove(key(name, k));
                    continue;
                }
                // sizes differ by round for some keys, so both in-place rewrites and replacements happen
                int size = 20 + (k % 5 == 0 ? 30 * round : 0) + k % 40;
                String value = value(name, k, round, size);
                map.put(key(name, k), value.getBytes(StandardCharsets.UTF_8));
                stored.computeIfAbsent(name + "/" + k, x -> new HashSet<>()).add(value);
            }
        }
        MemoryBlock root = pool.root(64);
        pool.transaction(tx -> {
            long handle = root.getLong(0);
            tx.putLong(handle, round);
            long block = tx.allocate(256);
            tx.putLong(block, round);
            tx.putLong(root.fieldHandle(32), block);
        });
    }

    /** The same keys in every map, as caches of one application share their key space. */
    static byte[] key(String map, int k) {
        return ("key:" + k).getBytes(StandardCharsets.UTF_8);
    }

    /** A value that names its key and its round, padded to {@code size} characters. */
    static String value(String map, int k, int round, int size) {
        StringBuilder s = new StringBuilder(map + ":" + k + ":" + round + ":");
        while (s.length() < size) {
            s.append((char) ('a' + (s.length() + k) % 26));
        }
        return s.toString();
    }
}
