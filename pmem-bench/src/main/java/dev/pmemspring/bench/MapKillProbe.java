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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which persisted maps survive {@code kill -9}: not a benchmark, a check the map benchmark report
 * relies on ("put against the fastest persisted peer that survives kill -9").
 *
 * <p>{@code MapKillProbe IMPL [KILLS]} runs, KILLS times: a child JVM opens a map of
 * implementation IMPL in a fresh directory and puts without end, cycling over {@value #KEYS} keys
 * whose 100-byte values carry the put's sequence number; after each put returns it records the
 * count in a side file (a shared mapping, which outlives the process). The parent kills the child
 * with SIGKILL at a varying moment, reopens the map in its own JVM and checks that it opens and
 * that every key holds the value of its last acknowledged put (or, for the one put in flight,
 * the value before it). It prints one line per kill and a verdict.
 *
 * <p>Each reopen is tried as an application would after a crash: the pool with
 * {@code PmemPool.open}, Chronicle with {@code createPersistedTo} (its plain open), falling back
 * to {@code recoverPersistedTo} if that fails or hangs, MapDB with the same maker.
 */
public final class MapKillProbe {

    static final int KEYS = 20_000;
    static final int VALUE_SIZE = 100;
    static final long OPEN_TIMEOUT_SECONDS = 20;

    /** Kept strongly reachable, so the level set in main sticks (loggers are held weakly). */
    private static final java.util.logging.Logger POOL_LOG =
            java.util.logging.Logger.getLogger("dev.pmemspring.core.PmemPool");

    private MapKillProbe() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("chronicle.analytics.disable", "true");
        POOL_LOG.setLevel(java.util.logging.Level.WARNING); // one INFO line per open
        if (args.length >= 3 && args[0].equals("--child")) {
            write(args[1], Path.of(args[2]));
            return;
        }
        if (args.length < 1) {
            System.err.println("usage: MapKillProbe IMPL [KILLS]   (IMPL: pmem, chronicle, mapdb, mapdb-tx)");
            System.exit(2);
        }
        String impl = args[0];
        int kills = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int survived = 0;
        for (int k = 0; k < kills; k++) {
            Path dir = MapStore.newDirectory("kill-" + impl);
            try {
                String outcome = killOnce(impl, dir, 700 + 600L * k);
                System.out.println(impl + " kill " + (k + 1) + ": " + outcome);
                if (outcome.startsWith("ok")) {
                    survived++;
                }
            } finally {
                MapStore.deleteTree(dir);
            }
        }
        System.out.println(impl + " verdict: " + (survived == kills ? "survives kill -9" : "does NOT survive kill -9")
                + " (" + survived + "/" + kills + " kills)");
    }

    private static String killOnce(String impl, Path dir, long runMillis) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(ProcessHandle.current()
                .info()
                .arguments()
                .map(MapKillProbe::jvmOptions)
                .orElse(List.of()));
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                MapKillProbe.class.getName(),
                "--child",
                impl,
                dir.toString()));
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        Path ackFile = dir.resolve("ack");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // Wait until the child is putting, then let it run for a while before the kill.
        while (ack(ackFile) == 0) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                child.destroyForcibly().waitFor();
                return "child never put anything (see its log: " + Files.readString(dir.resolve("child.log")) + ")";
            }
            Thread.sleep(10);
        }
        Thread.sleep(runMillis);
        child.destroyForcibly(); // SIGKILL
        child.waitFor();
        long acked = ack(ackFile);
        ExecutorService opener = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reopen");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<String> check = opener.submit(() -> reopenAndCheck(impl, dir, acked));
            try {
                return check.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                check.cancel(true);
                return "FAILED: reopen did not finish within " + OPEN_TIMEOUT_SECONDS + " s (" + acked
                        + " puts acknowledged)";
            } catch (ExecutionException e) {
                return "FAILED: reopen threw " + e.getCause() + " (" + acked + " puts acknowledged)";
            }
        } finally {
            opener.shutdownNow();
        }
    }

    /** The JVM options of this process, to start the child with the same ones. */
    private static List<String> jvmOptions(String[] arguments) {
        List<String> options = new ArrayList<>();
        for (String a : arguments) {
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("-jar") || !a.startsWith("-")) {
                break;
            }
            options.add(a);
        }
        return options;
    }

    private static long ack(Path ackFile) throws IOException {
        if (!Files.exists(ackFile) || Files.size(ackFile) < 8) {
            return 0;
        }
        return ByteBuffer.wrap(Files.readAllBytes(ackFile))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong(0);
    }

    /** The value of the put with sequence number {@code seq}. */
    static byte[] value(long seq) {
        ByteBuffer b = ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < VALUE_SIZE / 8; i++) {
            b.putLong(seq * 31 + i);
        }
        b.putLong(0, seq);
        return b.array();
    }

    // ------------------------------------------------------------------------------------ stores

    /** The few calls the probe needs, over a map opened at a fixed place. */
    private interface Probed extends AutoCloseable {
        byte[] get(byte[] key);

        void put(byte[] key, byte[] value);

        @Override
        void close();
    }

    private static Probed open(String impl, Path dir, boolean afterCrash) throws IOException {
        switch (impl) {
            case MapStore.PMEM -> {
                Path path = dir.resolve("map.pool");
                PoolOptions options = PoolOptions.layout("kill-probe")
                        .withDurability(Durability.PROCESS)
                        .withSize(64L << 20);
                PmemPool pool = afterCrash ? PmemPool.open(path, options) : PmemPool.create(path, options);
                PmemMap map = pool.map("probe");
                return new Probed() {
                    public byte[] get(byte[] key) {
                        return map.get(key);
                    }

                    public void put(byte[] key, byte[] value) {
                        map.put(key, value);
                    }

                    public void close() {
                        pool.close();
                    }
                };
            }
            case MapStore.CHRONICLE -> {
                var builder = ChronicleMap.of(byte[].class, byte[].class)
                        .name("probe")
                        .entries(2 * KEYS)
                        .constantKeySizeBySample(new byte[MapWorkload.KEY_SIZE])
                        .constantValueSizeBySample(new byte[VALUE_SIZE])
                        .putReturnsNull(true);
                ChronicleMap<byte[], byte[]> map =
                        builder.createPersistedTo(dir.resolve("map.cm3").toFile());
                return chronicle(map);
            }
            case MapStore.MAPDB, MapStore.MAPDB_TX -> {
                DBMaker.Maker maker = DBMaker.fileDB(dir.resolve("map.mapdb").toFile())
                        .fileMmapEnable()
                        .fileSyncDisable();
                if (impl.equals(MapStore.MAPDB_TX)) {
                    maker = maker.transactionEnable();
                }
                DB db = maker.make();
                HTreeMap<byte[], byte[]> map = db.hashMap("probe", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                        .createOrOpen();
                boolean tx = impl.equals(MapStore.MAPDB_TX);
                return new Probed() {
                    public byte[] get(byte[] key) {
                        return map.get(key);
                    }

                    public void put(byte[] key, byte[] value) {
                        map.put(key, value);
                        if (tx) {
                            db.commit();
                        }
                    }

                    public void close() {
                        db.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException("not a persisted map: " + impl);
        }
    }

    private static Probed chronicle(ChronicleMap<byte[], byte[]> map) {
        return new Probed() {
            public byte[] get(byte[] key) {
                return map.get(key);
            }

            public void put(byte[] key, byte[] value) {
                map.put(key, value);
            }

            public void close() {
                map.close();
            }
        };
    }

    /** The child: puts until killed, recording after each put how many have returned. */
    private static void write(String impl, Path dir) throws IOException {
        byte[][] keys = MapWorkload.keys(KEYS, MapWorkload.PRELOADED);
        try (FileChannel ackChannel = FileChannel.open(
                        dir.resolve("ack"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                Probed map = open(impl, dir, false)) {
            MappedByteBuffer ack = ackChannel.map(FileChannel.MapMode.READ_WRITE, 0, 8);
            ack.order(ByteOrder.LITTLE_ENDIAN);
            for (long seq = 0; ; seq++) {
                map.put(keys[(int) (seq % KEYS)], value(seq));
                ack.putLong(0, seq + 1);
            }
        }
    }

    /**
     * Reopens after the kill and checks every key: after {@code acked} acknowledged puts (one more
     * may have been in flight), key {@code i} holds the value of its last acknowledged put, or of
     * the put in flight if that was to it.
     */
    private static String reopenAndCheck(String impl, Path dir, long acked) throws IOException {
        String how = "plain reopen";
        Probed map;
        if (impl.equals(MapStore.CHRONICLE)) {
            // Chronicle's plain open may wait on a segment lock the dead process held: give it a
            // while in a thread of its own, then try the documented crash path.
            ExecutorService plain = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "chronicle-plain-open");
                t.setDaemon(true);
                return t;
            });
            Future<Probed> opening = plain.submit(() -> open(impl, dir, true));
            try {
                map = opening.get(OPEN_TIMEOUT_SECONDS / 2, TimeUnit.SECONDS);
            } catch (Exception e) {
                opening.cancel(true);
                how = "plain reopen failed (" + (e instanceof ExecutionException ? e.getCause() : e)
                        + "), then recoverPersistedTo";
                map = chronicleRecover(dir);
            } finally {
                plain.shutdownNow();
            }
        } else {
            map = open(impl, dir, true);
        }
        try (Probed opened = map) {
            byte[][] keys = MapWorkload.keys(KEYS, MapWorkload.PRELOADED);
            long lost = 0;
            long wrong = 0;
            for (int i = 0; i < KEYS; i++) {
                byte[] v = opened.get(keys[i]);
                long last = acked > i ? i + (acked - 1 - i) / KEYS * KEYS : -1; // last acknowledged put of key i
                long inFlight = acked % KEYS == i ? acked : -2;
                if (v == null) {
                    if (last >= 0) {
                        lost++;
                    }
                    continue;
                }
                long seq = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                boolean expected = (seq == last || seq == inFlight) && Arrays.equals(v, value(seq));
                if (!expected) {
                    wrong++;
                }
            }
            String result = acked + " puts acknowledged, " + how + ", " + lost + " keys lost, " + wrong + " keys wrong";
            return (lost == 0 && wrong == 0 ? "ok: " : "FAILED: ") + result;
        }
    }

    private static Probed chronicleRecover(Path dir) throws IOException {
        ChronicleMap<byte[], byte[]> map = ChronicleMap.of(byte[].class, byte[].class)
                .name("probe")
                .entries(2 * KEYS)
                .constantKeySizeBySample(new byte[MapWorkload.KEY_SIZE])
                .constantValueSizeBySample(new byte[VALUE_SIZE])
                .putReturnsNull(true)
                .recoverPersistedTo(dir.resolve("map.cm3").toFile(), true);
        return chronicle(map);
    }
}
