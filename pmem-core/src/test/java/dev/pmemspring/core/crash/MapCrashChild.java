package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Puts and removes in a map from several threads until killed. Thread t owns keys
 * {@code k % THREADS == t}; before an operation it prints {@code B key seq}, after it
 * {@code P key seq} (put of value {key, seq, padding}) or {@code R key}.
 */
public final class MapCrashChild {

    static final String LAYOUT = "map-crash";
    static final int KEYS = 2000;
    static final int THREADS = 2;

    static byte[] key(int k) {
        return ("key-" + k).getBytes();
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Durability durability = Durability.valueOf(args[1]);
        long seed = Long.parseLong(args[2]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        PmemPool pool = PmemPool.open(path, PoolOptions.layout(LAYOUT).withDurability(durability));
        PmemMap map = pool.map("m");
        out.println("READY");
        out.flush();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            SplittableRandom random = new SplittableRandom(seed + t);
            Thread.ofPlatform().start(() -> {
                long seq = 0;
                while (true) {
                    int k = random.nextInt(KEYS / THREADS) * THREADS + thread;
                    seq++;
                    synchronized (out) {
                        out.println("B " + k + " " + seq);
                        out.flush();
                    }
                    String done;
                    if (random.nextInt(4) == 0) {
                        map.remove(key(k));
                        done = "R " + k;
                    } else {
                        // Half of one size (overwrites rewritten in place), half of any (new blocks).
                        int size = random.nextBoolean() ? 64 : 16 + random.nextInt(600);
                        byte[] value =
                                ByteBuffer.allocate(size).putInt(k).putLong(seq).array();
                        map.put(key(k), value);
                        done = "P " + k + " " + seq;
                    }
                    synchronized (out) {
                        out.println(done);
                        out.flush();
                    }
                }
            });
        }
    }

    private MapCrashChild() {}
}
