package dev.pmemspring.core.fuzz;

import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a user does with a pool file, done to a damaged one: open it, check it, read everything,
 * write to it and check it again. The file is then {@link Outcome#REFUSED refused} (open threw a
 * {@link PmemException}), {@link Outcome#DAMAGED_BUT_USABLE damaged but usable} (it opened; a check
 * found problems or an operation threw a {@code PmemException}) or {@link Outcome#CLEAN clean}.
 * Anything else is a failure: any other exception, and a read that returns a value never stored
 * under its key.
 */
final class ImageExercise {

    enum Outcome {
        CLEAN,
        DAMAGED_BUT_USABLE,
        REFUSED
    }

    private final PoolImages images;
    private final Map<String, Set<String>> stored = new HashMap<>();
    private boolean damaged;

    ImageExercise(PoolImages images) {
        this.images = images;
        images.stored.forEach((k, v) -> stored.put(k, new HashSet<>(v)));
    }

    Outcome run(Path file) {
        tool("info", file);
        tool("check", file);
        PmemPool pool;
        try {
            pool = PmemPool.open(file, PoolImages.OPTIONS);
        } catch (PmemException refused) {
            return Outcome.REFUSED;
        }
        try {
            step("check", () -> {
                if (!pool.check().clean()) {
                    damaged = true;
                }
            });
            step("info and stats", () -> {
                pool.info();
                pool.stats();
                pool.mapNames();
            });
            for (String name : PoolImages.MAPS) {
                step("read map " + name, () -> readMap(pool, name));
            }
            step("read the root's blocks", () -> readRoot(pool));
            for (String name : PoolImages.MAPS) {
                step("write map " + name, () -> writeMap(pool, name));
                step("read map " + name + " again", () -> readMap(pool, name));
            }
            step("allocate, free and a transaction", () -> writeBlocks(pool));
            step("check again", () -> {
                if (!pool.check().clean()) {
                    damaged = true;
                }
            });
        } finally {
            step("close", pool::close);
        }
        return damaged ? Outcome.DAMAGED_BUT_USABLE : Outcome.CLEAN;
    }

    /**
     * The pool tool on the file, before the pool opens it: it must answer with an exit code and a
     * message, never throw, whatever the file holds.
     */
    private static void tool(String command, Path file) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        try {
            dev.pmemspring.core.tool.PoolTool.run(
                    new String[] {command, file.toString()},
                    new java.io.PrintStream(out),
                    new java.io.PrintStream(err));
        } catch (RuntimeException e) {
            throw new AssertionError("the pool tool's " + command + " on a damaged file threw " + e, e);
        }
    }

    private void step(String what, Runnable action) {
        try {
            action.run();
        } catch (PmemException e) {
            damaged = true;
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(what + " on a damaged file threw " + e + " instead of a PmemException", e);
        }
    }

    private void readMap(PmemPool pool, String name) {
        PmemMap map = pool.map(name);
        for (int k = 0; k < PoolImages.KEYS + 20; k++) {
            byte[] value = map.get(PoolImages.key(name, k));
            if (value != null) {
                expectStored(name, k, value);
            }
        }
        for (PmemMap.Entry e : map) {
            String key = new String(e.key(), StandardCharsets.UTF_8);
            String prefix = "key:";
            if (!key.startsWith(prefix)) {
                throw new AssertionError("map " + name + " lists a key never stored: " + key);
            }
            int k;
            try {
                k = Integer.parseInt(key.substring(prefix.length()));
            } catch (NumberFormatException notOurs) {
                throw new AssertionError("map " + name + " lists a key never stored: " + key);
            }
            expectStored(name, k, e.value());
        }
        map.size();
        map.stats();
    }

    private void expectStored(String name, int k, byte[] value) {
        String v = new String(value, StandardCharsets.UTF_8);
        Set<String> values = stored.get(name + "/" + k);
        if (values == null || !values.contains(v)) {
            throw new AssertionError("map " + name + " returned for key " + k + " a value never stored under it: " + v);
        }
    }

    private void readRoot(PmemPool pool) {
        MemoryBlock root = pool.root(64);
        for (int i = 0; i < 5; i++) {
            long handle = root.getLong(8L * i);
            if (handle != 0) {
                try {
                    pool.block(handle).getLong(0);
                } catch (IllegalArgumentException notABlock) {
                    // a damaged field holds a handle that is no block: refused as for any bad handle
                    damaged = true;
                }
            }
        }
    }

    private void writeMap(PmemPool pool, String name) {
        PmemMap map = pool.map(name);
        for (int k = 0; k < PoolImages.KEYS + 20; k += 3) {
            String value = PoolImages.value(name, k, 9, 24 + k % 50);
            stored.computeIfAbsent(name + "/" + k, x -> new HashSet<>()).add(value);
            map.put(PoolImages.key(name, k), value.getBytes(StandardCharsets.UTF_8));
        }
        for (int k = 1; k < PoolImages.KEYS; k += 11) {
            map.remove(PoolImages.key(name, k));
        }
    }

    private void writeBlocks(PmemPool pool) {
        long a = pool.allocate(100);
        long b = pool.allocate(300_000);
        pool.free(a);
        pool.transaction(tx -> {
            long c = tx.allocate(64);
            tx.putLong(c, 7);
            tx.putLong(b, 8);
        });
        pool.free(b);
    }
}
