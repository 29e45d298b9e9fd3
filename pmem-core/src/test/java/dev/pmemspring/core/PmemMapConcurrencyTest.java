package dev.pmemspring.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent histories checked for linearizability of each key as a register: every value read
 * was written by a put that began before the read ended, and was not overwritten by a put that
 * completed before the read began (values are unique, so each read names its write).
 */
class PmemMapConcurrencyTest {

    @TempDir
    Path dir;

    /** One operation with its real-time interval; for a get, {@code value} is what it returned (-1: none). */
    record Event(boolean write, long value, long start, long end) {}

    @Test
    void everyKeyBehavesAsAnAtomicRegisterUnderConcurrentGrowth() throws Exception {
        int keys = 64;
        int threads = 4;
        int opsPerThread = 20_000;
        try (PmemPool pool = PmemPool.create(
                dir.resolve("c.pool"),
                PoolOptions.layout("c").withSize(256L << 20).withDurability(Durability.PROCESS))) {
            PmemMap map = pool.map("c");
            List<List<List<Event>>> histories = new ArrayList<>(); // thread -> key -> events
            ExecutorService exec = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<List<Event>> mine = new ArrayList<>();
                for (int k = 0; k < keys; k++) {
                    mine.add(new ArrayList<>());
                }
                histories.add(mine);
                int thread = t;
                futures.add(exec.submit(() -> {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < opsPerThread; i++) {
                        int k = random.nextInt(keys);
                        byte[] key = ("shared-" + k).getBytes();
                        if (random.nextInt(3) == 0) {
                            long value = ((long) thread << 32) | i;
                            long s = System.nanoTime();
                            // Half the puts of one size, so overwrites of equal size (rewritten
                            // in place under readers) are frequent, half of any size (new blocks).
                            int size = random.nextBoolean() ? 64 : 8 + random.nextInt(200);
                            map.put(
                                    key,
                                    ByteBuffer.allocate(size).putLong(value).array());
                            mine.get(k).add(new Event(true, value, s, System.nanoTime()));
                        } else {
                            long s = System.nanoTime();
                            byte[] got = map.get(key);
                            long e = System.nanoTime();
                            mine.get(k)
                                    .add(new Event(
                                            false,
                                            got == null
                                                    ? -1
                                                    : ByteBuffer.wrap(got).getLong(),
                                            s,
                                            e));
                        }
                        if (i % 10 == 0) {
                            // grow the table underneath: private keys of this thread
                            map.put(("private-" + thread + "-" + i).getBytes(), new byte[16]);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            exec.shutdown();
            for (int k = 0; k < keys; k++) {
                List<Event> writes = new ArrayList<>();
                List<Event> reads = new ArrayList<>();
                for (List<List<Event>> h : histories) {
                    for (Event e : h.get(k)) {
                        (e.write() ? writes : reads).add(e);
                    }
                }
                for (Event r : reads) {
                    if (r.value() == -1) {
                        // a miss is only allowed before any write to the key completed
                        assertThat(writes.stream().noneMatch(w -> w.end() < r.start()))
                                .as("key %d: miss after a write", k)
                                .isTrue();
                        continue;
                    }
                    Event w = writes.stream()
                            .filter(x -> x.value() == r.value())
                            .findFirst()
                            .orElseThrow();
                    assertThat(w.start())
                            .as("key %d: read before its write began", k)
                            .isLessThan(r.end());
                    boolean overwritten = writes.stream().anyMatch(w2 -> w2.start() > w.end() && w2.end() < r.start());
                    assertThat(overwritten)
                            .as("key %d: read a value already overwritten", k)
                            .isFalse();
                }
            }
            assertThat(map.size()).isEqualTo(keys + threads * (opsPerThread / 10));
            // A read of an entry while it was rewritten retried; none saw a failing checksum.
            assertThat(map.stats().checksumFailures()).isZero();
        }
    }
}
