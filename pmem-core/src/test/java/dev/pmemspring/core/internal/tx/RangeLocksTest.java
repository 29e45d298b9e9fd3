package dev.pmemspring.core.internal.tx;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RangeLocksTest {

    private static final long BLOCK = 4096;
    private final RangeLocks locks = new RangeLocks();
    private final Object a = new Object();
    private final Object b = new Object();
    private final BitSet heldByA = new BitSet();
    private final BitSet heldByB = new BitSet();

    @Test
    void disjointRangesOfOneBlockGoToDifferentOwners() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 8, heldByA, 0)).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK + 8, BLOCK + 16, heldByB, 0)).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK + 4, BLOCK + 12, heldByB, 0)).isFalse();
        assertThat(heldByA.cardinality()).isOne();
    }

    @Test
    void anOwnerIsNeverStoppedByItsOwnRanges() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 16, heldByA, 0)).isTrue();
        assertThat(locks.lock(a, BLOCK, BLOCK + 8, BLOCK + 24, heldByA, 0)).isTrue();
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 256, heldByA, 0)).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK + 100, BLOCK + 101, heldByB, 0)).isFalse();
    }

    @Test
    void adjoiningRangesMergeAndStillExcludeOthersAcrossTheSeam() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 8, heldByA, 0)).isTrue();
        assertThat(locks.lock(a, BLOCK, BLOCK + 8, BLOCK + 16, heldByA, 0)).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK + 4, BLOCK + 12, heldByB, 0)).isFalse();
        assertThat(locks.lock(b, BLOCK, BLOCK + 16, BLOCK + 24, heldByB, 0)).isTrue();
    }

    @Test
    void aWholeBlockWaitsForAnyRangeInsideIt() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK + 64, BLOCK + 72, heldByA, 0)).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK, BLOCK + 256, heldByB, 0)).isFalse();
        locks.unlockAll(a, heldByA);
        assertThat(heldByA.isEmpty()).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK, BLOCK + 256, heldByB, 0)).isTrue();
        assertThat(locks.lock(a, BLOCK, BLOCK + 255, BLOCK + 256, heldByA, 0)).isFalse();
    }

    @Test
    void aRangeBridgingTwoOwnRangesJoinsThem() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 8, heldByA, 0)).isTrue();
        assertThat(locks.lock(a, BLOCK, BLOCK + 16, BLOCK + 24, heldByA, 0)).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK + 8, BLOCK + 16, heldByB, 0)).isTrue();
        locks.unlockAll(b, heldByB);
        assertThat(locks.lock(a, BLOCK, BLOCK + 4, BLOCK + 20, heldByA, 0)).isTrue();
        assertThat(locks.lock(b, BLOCK, BLOCK + 10, BLOCK + 11, heldByB, 0)).isFalse();
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 24, heldByA, 0)).isTrue(); // covered by one range now
    }

    @Test
    void releasingWakesAWaiter() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 8, heldByA, 0)).isTrue();
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        waitForTheFirstRange(result);
        locks.unlockAll(a, heldByA);
        // Woken by the release: long before its own 60 s run out.
        assertThat(result.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anInterruptedWaiterGivesUp() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 8, heldByA, 0)).isTrue();
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread waiter = waitForTheFirstRange(result);
        waiter.interrupt();
        assertThat(result)
                .failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(InterruptedException.class);
        assertThat(heldByB.isEmpty()).isTrue();
    }

    /** Starts b's lock of a's range, with a 60 s timeout, on a thread of its own; returns once it waits. */
    private Thread waitForTheFirstRange(CompletableFuture<Boolean> result) throws InterruptedException {
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                result.complete(locks.lock(b, BLOCK, BLOCK, BLOCK + 8, heldByB, TimeUnit.SECONDS.toNanos(60)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        awaitWaiting(waiter);
        return waiter;
    }

    private static void awaitWaiting(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("the waiter never waited").isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
