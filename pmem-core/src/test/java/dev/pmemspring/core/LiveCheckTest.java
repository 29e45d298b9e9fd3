package dev.pmemspring.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.core.internal.file.PoolLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} on a pool that other threads are writing: it reports no damage that is not there,
 * and still reports damage that is.
 */
class LiveCheckTest {

    private static final PoolOptions OPTIONS =
            PoolOptions.layout("live").withSize(32L << 20).withDurability(Durability.PROCESS);

    @TempDir
    Path dir;

    /**
     * What an allocation or a free leaves between its steps, or between the check's read of a
     * bitmap word and of the allocator's bits: a unit reserved and not yet durable (or durably
     * freed and not yet released), a unit freed between the two reads, a span durably used and not
     * yet registered, a redo log written and not yet applied.
     */
    private static final String[] IN_FLIGHT = {
        "is free on media but taken in the allocator",
        "is allocated on media but free in the allocator",
        "is a used span the allocator does not know",
        "holds an unapplied redo log"
    };

    @Test
    void aCheckBesideWritersFindsNothingOnASoundPool() throws Exception {
        try (PmemPool pool = PmemPool.create(dir.resolve("l.pool"), OPTIONS)) {
            PmemMap map = pool.map("m");
            List<CheckReport> reports = new ArrayList<>();
            runBeside(pool, map, () -> reports.add(pool.check()), 40);
            // Headers and maps are walked under their locks: never a finding there. An allocator
            // finding is an operation caught between its steps; one whose thread stalled through
            // all three walks (descheduled on two busy cores) can still look confirmed, so what is
            // asserted is that each kind is one an operation in flight leaves, and that it is gone
            // once the writers stop.
            assertThat(reports.stream().flatMap(r -> r.problems().stream()))
                    .allSatisfy(p -> assertThat(p).containsAnyOf(IN_FLIGHT));
            assertThat(reports.stream().flatMap(r -> r.unconfirmed().stream()))
                    .allSatisfy(p -> assertThat(p).containsAnyOf(IN_FLIGHT));
            CheckReport quiet = pool.check();
            assertThat(quiet.problems()).isEmpty();
            assertThat(quiet.unconfirmed()).isEmpty();
        }
    }

    @Test
    void realDamageIsStillReportedWhileWritersRun() throws Exception {
        Path file = dir.resolve("d.pool");
        try (PmemPool pool = PmemPool.create(file, OPTIONS)) {
            long small = pool.allocate(64); // the first unit of a run of 64-byte units
            // Mark unit 63 of that run allocated on media: a bit no operation set.
            long chunkData = PoolLayout.of(pool.stats().poolSize(), PoolLayout.DEFAULT_LANES)
                    .chunkDataOffset();
            long runStart = chunkData + (small - chunkData) / PoolLayout.CHUNK_SIZE * PoolLayout.CHUNK_SIZE;
            long word = runStart + 8; // the run's first bitmap word, after its header word
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
                ch.read(b, word);
                ch.write(
                        ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, b.getLong(0) | 1L << 63),
                        word);
            }
            AtomicReference<CheckReport> found = new AtomicReference<>();
            // writers of 4 KiB blocks only: they never touch the 64-byte run
            runBeside(pool, null, () -> found.set(pool.check()), 5);
            assertThat(found.get().problems())
                    .anySatisfy(p -> assertThat(p).contains("unit 63 of run").contains("allocated on media but free"));
        }
    }

    @Test
    void aTransactionLeftOpenThroughTheCheckIsNoDamage() throws Exception {
        try (PmemPool pool = PmemPool.create(dir.resolve("t.pool"), OPTIONS)) {
            long kept = pool.allocate(64);
            java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            // A transaction that allocates and frees run units (and one unit both), then waits,
            // open, through the whole check: its bits change only at its commit.
            Thread holder = Thread.ofPlatform().start(() -> {
                try {
                    pool.transaction(tx -> {
                        for (int i = 0; i < 10; i++) {
                            tx.allocate(64);
                        }
                        tx.free(tx.allocate(256));
                        tx.free(kept);
                        open.countDown();
                        try {
                            checked.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                } catch (Throwable e) {
                    failure.set(e);
                    open.countDown();
                }
            });
            open.await();
            CheckReport during;
            try {
                during = pool.check();
            } finally {
                checked.countDown();
                holder.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(during.problems()).isEmpty();
            assertThat(during.unconfirmed()).isEmpty();
            assertThat(pool.check().problems()).isEmpty();
        }
    }

    /** Runs {@code check} {@code times} times while two threads allocate and free (and put and remove in {@code map}). */
    private static void runBeside(PmemPool pool, PmemMap map, Runnable check, int times) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int id = t;
            writers.add(Thread.ofPlatform().start(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                List<Long> held = new ArrayList<>();
                try {
                    while (!stop.get()) {
                        if (map != null && random.nextBoolean()) {
                            byte[] key = ("k" + id + "-" + random.nextInt(2_000)).getBytes();
                            if (random.nextInt(4) == 0) {
                                map.remove(key);
                            } else {
                                try {
                                    map.put(key, new byte[16 + random.nextInt(600)]);
                                } catch (PoolOutOfMemoryException full) {
                                    // as above
                                }
                            }
                        } else if (held.size() < 200 && random.nextBoolean()) {
                            long size = map == null ? 4096 : 32 + random.nextInt(300_000);
                            try {
                                held.add(pool.allocate(size));
                            } catch (PoolOutOfMemoryException fragmented) {
                                // no span that large free at the moment: the next free makes one
                            }
                        } else if (!held.isEmpty()) {
                            pool.free(held.remove(random.nextInt(held.size())));
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        try {
            for (int i = 0; i < times; i++) {
                check.run();
            }
        } finally {
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
        }
        assertThat(failure.get()).isNull();
    }
}
