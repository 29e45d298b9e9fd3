package dev.pmemspring.core.internal.map;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StripeLockTest {

    @Test
    void theSequenceIsOddExactlyWhileTheLockIsHeld() {
        StripeLock lock = new StripeLock();
        long free = lock.sequence();
        assertThat(free % 2).isZero();

        lock.lock();
        assertThat(lock.sequence()).isEqualTo(free + 1);
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        lock.unlock();

        assertThat(lock.sequence()).isEqualTo(free + 2);
        assertThat(lock.isHeldByCurrentThread()).isFalse();
    }

    @Test
    void anotherThreadCannotTakeOrReleaseAHeldLock() throws Exception {
        StripeLock lock = new StripeLock();
        lock.lock();
        long held = lock.sequence();

        boolean taken = CompletableFuture.supplyAsync(lock::tryLock).get(10, TimeUnit.SECONDS);
        Throwable released =
                CompletableFuture.runAsync(lock::unlock).handle((ok, e) -> e).get(10, TimeUnit.SECONDS);

        assertThat(taken).isFalse();
        assertThat(released).hasRootCauseInstanceOf(IllegalMonitorStateException.class);
        assertThat(lock.sequence()).isEqualTo(held);
        lock.unlock();
    }

    @Test
    void itIsNotReentrant() {
        StripeLock lock = new StripeLock();
        lock.lock();
        assertThat(lock.tryLock()).isFalse();
        lock.unlock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void aWaitingWriterGetsTheLockWhenItIsReleased() throws Exception {
        StripeLock lock = new StripeLock();
        lock.lock();
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong seen = new AtomicLong(-1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            started.countDown();
            lock.lock();
            seen.set(lock.sequence());
            lock.unlock();
        });
        started.await();
        while (!lock.hasQueuedThreads()) {
            Thread.onSpinWait(); // the waiter is parked in the queue
        }
        long before = lock.sequence();
        lock.unlock();
        waiter.join(10_000);

        assertThat(waiter.isAlive()).isFalse();
        assertThat(seen.get()).isEqualTo(before + 2); // released (+1), then taken (+1)
        assertThat(lock.sequence()).isEqualTo(before + 3);
    }

    @Test
    void writersExcludeEachOther() throws Exception {
        StripeLock lock = new StripeLock();
        long[] counter = new long[1];
        int threads = 4;
        int rounds = 20_000;
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    try {
                        counter[0]++; // a plain increment: lost updates unless the lock excludes
                    } finally {
                        lock.unlock();
                    }
                }
            });
        }
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(counter[0]).isEqualTo((long) threads * rounds);
        assertThat(lock.sequence()).isEqualTo(2L * threads * rounds);
    }
}
