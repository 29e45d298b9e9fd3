package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;

import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Allocates and frees in a loop until killed. The root holds {@value #SLOTS} slots; each thread owns
 * a range of them and, per step, fills an empty slot with a new block (published with
 * {@code allocateInto}) or frees a full one (with {@code freeFrom}). Before a step it prints
 * {@code B slot}, after it {@code A slot handle} or {@code F slot}: what the parent may rely on.
 * Every block starts with its slot index and ends with the same marker, written by the initializer.
 */
public final class AllocatorCrashChild {

    static final int SLOTS = 512;
    static final String LAYOUT = "alloc-crash";

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Durability durability = Durability.valueOf(args[1]);
        int threads = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        long growthStep = args.length > 4 ? Long.parseLong(args[4]) : 0; // for a pool created to grow
        PmemPool pool = PmemPool.open(
                path, PoolOptions.layout(LAYOUT).withDurability(durability).withGrowthStep(growthStep));
        MemoryBlock root = pool.root(8L * SLOTS);
        out.println("READY");
        out.flush();
        for (int t = 0; t < threads; t++) {
            int first = t * SLOTS / threads;
            int end = (t + 1) * SLOTS / threads;
            SplittableRandom random = new SplittableRandom(seed + t);
            Thread.ofPlatform().start(() -> {
                while (true) {
                    int slot = first + random.nextInt(end - first);
                    long field = root.fieldHandle(8L * slot);
                    String begin = "B " + slot;
                    synchronized (out) {
                        out.println(begin);
                        out.flush();
                    }
                    String done;
                    if (root.getLong(8L * slot) == 0) {
                        long size =
                                random.nextInt(16) == 0 ? 200_000 + random.nextInt(600_000) : 16 + random.nextInt(3000);
                        long handle = pool.allocateInto(field, size, b -> {
                            b.putLong(0, slot);
                            b.putLong(b.size() - 8, slot ^ 0x5EED);
                        });
                        done = "A " + slot + " " + handle;
                    } else {
                        pool.freeFrom(field);
                        done = "F " + slot;
                    }
                    synchronized (out) {
                        out.println(done);
                        out.flush();
                    }
                }
            });
        }
    }

    private AllocatorCrashChild() {}
}
