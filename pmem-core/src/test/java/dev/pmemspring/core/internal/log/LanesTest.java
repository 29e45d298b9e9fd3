package dev.pmemspring.core.internal.log;

import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.FailStop;
import dev.pmemspring.core.internal.memory.MappedMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lanes whose log recovery needs are never given out again; a stopped pool gives out none. */
class LanesTest {

    private static final long SIZE = PoolLayout.MIN_POOL_SIZE;

    private final MappedMemory memory = new MappedMemory(Arena.ofAuto().allocate(SIZE, 4096), false);
    private final FailStop failStop = new FailStop(null);
    private final Lanes lanes = new Lanes(memory, PoolLayout.of(SIZE, 2), failStop);

    @Test
    void aRetiredLaneIsNeverGivenOutAgain() throws Exception {
        int retired = lanes.acquireHeld().index();
        lanes.retireHeld();
        assertThat(lanes.taken(retired)).isTrue();
        Lane other = lanes.acquireHeld();
        assertThat(other.index()).isNotEqualTo(retired);
        // With the other lane held, a second thread finds none: the retired one stays taken...
        CompletableFuture<Integer> got = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            int index = lanes.acquireHeld().index();
            lanes.releaseHeld();
            got.complete(index);
        });
        assertThatThrownBy(() -> got.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        // ...until the other lane goes back, which the waiting thread then takes.
        lanes.releaseHeld();
        assertThat(got.get(30, TimeUnit.SECONDS)).isEqualTo(other.index());
    }

    @Test
    void aHeldLaneWhoseRedoCommitFailedIsRetiredWhenReleased() throws Exception {
        int held = lanes.acquireHeld().index();
        RedoBatch outside = new RedoBatch().set(8, 1).set(SIZE + 4096, 2); // the second target is past the memory
        assertThatThrownBy(() -> lanes.commit(outside)).isInstanceOf(PoolStoppedException.class);
        lanes.releaseHeld();
        assertThat(failStop.stopped()).isTrue();
        assertThat(lanes.taken(held)).isTrue(); // its log may hold a batch committed and not applied
        // Stopped: nothing is given out at all.
        assertThatThrownBy(lanes::acquireHeld).isInstanceOf(PoolStoppedException.class);
    }

    @Test
    void aBatchTooLargeForTheLogIsRefusedWithoutStoppingThePool() {
        RedoBatch huge = new RedoBatch();
        for (int i = 0; i < 100_000; i++) {
            huge.set(8L * (i % 1000), i);
        }
        assertThatThrownBy(() -> lanes.commit(huge)).isInstanceOf(IllegalStateException.class);
        assertThat(failStop.stopped()).isFalse();
    }
}
