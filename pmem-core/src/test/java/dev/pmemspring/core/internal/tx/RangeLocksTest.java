package dev.pmemspring.core.internal.tx;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RangeLocksTest {

    private static final long BLOCK = 4096;
    private static final long WAIT = TimeUnit.SECONDS.toNanos(30);

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
    void releasingWakesAWaiter() throws Exception {
        assertThat(locks.lock(a, BLOCK, BLOCK, BLOCK + 8, heldByA, 0)).isTrue();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return locks.lock(b, BLOCK, BLOCK, BLOCK + 8, heldByB, WAIT);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        locks.unlockAll(a, heldByA);
        assertThat(waiter.get(WAIT, TimeUnit.NANOSECONDS)).isTrue();
    }
}
