package dev.pmemspring.bench;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import net.openhft.chronicle.map.ChronicleMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One map implementation behind the few operations the map benchmarks time: byte-array keys and
 * values, copied in on put (the caller may reuse its arrays, as {@link PmemMap} allows).
 *
 * <p>Each fork of a benchmark uses one implementation only, so the calls stay monomorphic. Each
 * implementation's classes are in a nested class of their own and load only when chosen.
 */
abstract class MapStore implements AutoCloseable {

    /** The implementations, by the name the benchmarks' {@code impl} parameter uses. */
    static final String PMEM = "pmem";

    static final String CHM = "chm";
    static final String CHRONICLE = "chronicle";
    static final String MAPDB = "mapdb";
    static final String MAPDB_TX = "mapdb-tx";
    /** Not in the default matrix: {@code mapdb-tx} with MapDB's file sync on every commit. */
    static final String MAPDB_TX_SYNC = "mapdb-tx-sync";

    /** The value of {@code key}, or null. */
    abstract byte[] get(byte[] key);

    /** Stores {@code value} for {@code key}; durable as the implementation's mode makes it. */
    abstract void put(byte[] key, byte[] value);

    abstract void remove(byte[] key);

    /** Puts every key with {@code value}: untimed, so implementations may batch (one commit). */
    void preload(byte[][] keys, byte[] value) {
        for (byte[] key : keys) {
            put(key, value);
        }
    }

    /** Removes the first {@code count} of {@code keys}: untimed, so implementations may batch. */
    void removeAll(byte[][] keys, int count) {
        for (int i = 0; i < count; i++) {
            remove(keys[i]);
        }
    }

    /** Closes the map and deletes its files. */
    @Override
    public abstract void close();

    /**
     * Opens a new, empty map of implementation {@code impl} with room for {@code capacity} entries of
     * 16-byte keys and {@code valueSize}-byte values, in {@link BenchPools#DIR}.
     */
    static MapStore open(String impl, int valueSize, long capacity) {
        return switch (impl) {
            case PMEM -> new Pmem(valueSize, capacity);
            case CHM -> new Chm(capacity);
            case CHRONICLE -> new Chronicle(valueSize, capacity);
            case MAPDB -> new MapDb(valueSize, capacity, false, false);
            case MAPDB_TX -> new MapDb(valueSize, capacity, true, false);
            case MAPDB_TX_SYNC -> new MapDb(valueSize, capacity, true, true);
            default -> throw new IllegalArgumentException("unknown map implementation: " + impl);
        };
    }

    /**
     * Pool bytes for {@code capacity} entries: each entry's block (24-byte header, key, value, up to
     * 12.5 % size-class padding), its table slots (8 bytes at 37-75 % load, two tables while
     * growing), then half as much again for partly used runs, plus a fixed margin for metadata.
     */
    static long poolSize(int keySize, int valueSize, long capacity) {
        long perEntry = (24L + keySize + valueSize) * 9 / 8 + 16 + 64;
        return capacity * perEntry * 3 / 2 + (64L << 20);
    }

    /** A fresh directory in {@link BenchPools#DIR} for a peer's files, removed by {@link #deleteTree}. */
    static Path newDirectory(String prefix) {
        try {
            return Files.createDirectory(BenchPools.DIR.resolve(
                    "pmem-bench-" + prefix + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir, e);
        }
    }

    /** {@link PmemMap} in a {@link Durability#PROCESS} pool: every put survives {@code kill -9}. */
    static final class Pmem extends MapStore {
        private final Path path;
        private final PmemPool pool;
        private final PmemMap map;

        Pmem(int valueSize, long capacity) {
            path = BenchPools.newPath("map");
            pool = PmemPool.create(
                    path,
                    PoolOptions.layout("bench-map")
                            .withSize(poolSize(MapWorkload.KEY_SIZE, valueSize, capacity))
                            .withDurability(Durability.PROCESS));
            map = pool.map("bench");
        }

        @Override
        byte[] get(byte[] key) {
            return map.get(key);
        }

        @Override
        void put(byte[] key, byte[] value) {
            map.put(key, value);
        }

        @Override
        void remove(byte[] key) {
            map.remove(key);
        }

        PmemMap map() {
            return map;
        }

        @Override
        public void close() {
            try {
                pool.close();
            } finally {
                BenchPools.delete(path);
            }
        }
    }

    /**
     * The in-heap ceiling: {@code ConcurrentHashMap<ByteBuffer, byte[]>}. Put copies key and value
     * (as the others must); get returns the stored array itself, with no copy out.
     */
    static final class Chm extends MapStore {
        private final ConcurrentHashMap<ByteBuffer, byte[]> map;

        Chm(long capacity) {
            map = new ConcurrentHashMap<>((int) Math.min(Integer.MAX_VALUE, capacity * 4 / 3 + 16));
        }

        @Override
        byte[] get(byte[] key) {
            return map.get(ByteBuffer.wrap(key));
        }

        @Override
        void put(byte[] key, byte[] value) {
            map.put(ByteBuffer.wrap(key.clone()), value.clone());
        }

        @Override
        void remove(byte[] key) {
            map.remove(ByteBuffer.wrap(key));
        }

        @Override
        public void close() {
            map.clear();
        }
    }

    /**
     * Chronicle Map persisted to a file ({@code createPersistedTo}): off-heap, memory-mapped, writes
     * go straight to the shared mapping (no flush). Sized for {@code capacity} entries of constant
     * key and value size; {@code put} and {@code remove} do not return the previous value.
     */
    static final class Chronicle extends MapStore {
        private final Path dir;
        private final ChronicleMap<byte[], byte[]> map;

        Chronicle(int valueSize, long capacity) {
            dir = newDirectory("chronicle");
            try {
                map = ChronicleMap.of(byte[].class, byte[].class)
                        .name("bench")
                        .entries(capacity)
                        .constantKeySizeBySample(new byte[MapWorkload.KEY_SIZE])
                        .constantValueSizeBySample(new byte[valueSize])
                        .putReturnsNull(true)
                        .removeReturnsNull(true)
                        .createPersistedTo(dir.resolve("bench.cm3").toFile());
            } catch (IOException e) {
                deleteTree(dir);
                throw new UncheckedIOException(e);
            } catch (RuntimeException | Error e) {
                deleteTree(dir);
                throw e;
            }
        }

        @Override
        byte[] get(byte[] key) {
            return map.get(key);
        }

        @Override
        void put(byte[] key, byte[] value) {
            map.put(key, value);
        }

        @Override
        void remove(byte[] key) {
            map.remove(key);
        }

        @Override
        public void close() {
            try {
                map.close();
            } finally {
                deleteTree(dir);
            }
        }
    }

    /**
     * MapDB's {@code HTreeMap} in a memory-mapped file ({@code fileDB(...).fileMmapEnable()}),
     * {@code Serializer.BYTE_ARRAY} keys and values.
     *
     * <ul>
     *   <li>Not {@code transactional}: a write goes to the mapping with nothing to make it atomic; a
     *       process killed while the file is open leaves it marked as not closed, and MapDB refuses
     *       to open it again.</li>
     *   <li>{@code transactional}: {@code transactionEnable()} (a write-ahead log) and a
     *       {@code commit()} after every put. Unless {@code sync}, with {@code fileSyncDisable()}:
     *       the log reaches the page cache but is not forced to the device, which survives
     *       {@code kill -9} but not a machine crash, the same promise as the pool's
     *       {@code PROCESS} durability. With {@code sync}, every commit also forces the files.</li>
     * </ul>
     */
    static final class MapDb extends MapStore {
        private final Path dir;
        private final DB db;
        private final HTreeMap<byte[], byte[]> map;
        private final boolean transactional;

        MapDb(int valueSize, long capacity, boolean transactional, boolean sync) {
            this.transactional = transactional;
            dir = newDirectory(transactional ? "mapdb-tx" : "mapdb");
            try {
                File file = dir.resolve("bench.mapdb").toFile();
                DBMaker.Maker maker = DBMaker.fileDB(file)
                        .fileMmapEnable()
                        .fileMmapPreclearDisable()
                        .allocateStartSize(Math.min(1L << 30, capacity * (valueSize + 64L)))
                        .allocateIncrement(32L << 20);
                if (transactional) {
                    maker = maker.transactionEnable();
                }
                if (!sync) {
                    maker = maker.fileSyncDisable();
                }
                db = maker.make();
                map = db.hashMap("bench", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                        .createOrOpen();
            } catch (RuntimeException | Error e) {
                deleteTree(dir);
                throw e;
            }
        }

        @Override
        byte[] get(byte[] key) {
            return map.get(key);
        }

        @Override
        void put(byte[] key, byte[] value) {
            map.put(key, value);
            if (transactional) {
                db.commit();
            }
        }

        @Override
        void remove(byte[] key) {
            map.remove(key);
            if (transactional) {
                db.commit();
            }
        }

        @Override
        void preload(byte[][] keys, byte[] value) {
            for (byte[] key : keys) {
                map.put(key, value);
            }
            if (transactional) {
                db.commit();
            }
        }

        @Override
        void removeAll(byte[][] keys, int count) {
            for (int i = 0; i < count; i++) {
                map.remove(keys[i]);
            }
            if (transactional) {
                db.commit();
            }
        }

        @Override
        public void close() {
            try {
                db.close();
            } finally {
                deleteTree(dir);
            }
        }
    }
}
