package dev.pmemspring.core.internal.log;

import dev.pmemspring.core.internal.memory.DyingMemory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedoLogTest {

    private static final long LOG = 0;
    private static final long A = 8192;
    private static final long B = 8200;
    private static final long BITS = 8208;

    private static RedoBatch batch() {
        return new RedoBatch().set(A, 11).set(B, 22).or(BITS, 0b100).and(BITS, ~0b1L);
    }

    @Test
    void commitAppliesEveryEntryAndLeavesTheLogEmpty() {
        DyingMemory memory = new DyingMemory();
        memory.putLong(BITS, 0b1);
        RedoLog log = new RedoLog(memory, LOG, 4096);
        log.commit(batch());
        assertThat(memory.getLong(A)).isEqualTo(11);
        assertThat(memory.getLong(B)).isEqualTo(22);
        assertThat(memory.getLong(BITS)).isEqualTo(0b100);
        assertThat(log.pending()).isNull();
        assertThat(log.recover()).isZero();
    }

    @Test
    void aCrashAfterThePersistPointIsCompletedByRecoveryEvenIfRecoveryCrashesToo() {
        for (int dieAfter = 0; dieAfter < 4; dieAfter++) {
            DyingMemory memory = new DyingMemory();
            memory.putLong(BITS, 0b1);
            memory.changesLeft = dieAfter;
            RedoLog log = new RedoLog(memory, LOG, 4096);
            assertThatThrownBy(() -> log.commit(batch())).hasMessage("crash");
            assertThat(log.pending()).isNotNull();
            memory.changesLeft = 1; // recovery itself dies after one change...
            assertThatThrownBy(log::recover).hasMessage("crash");
            memory.changesLeft = Integer.MAX_VALUE; // ...and the next recovery finishes the job
            assertThat(new RedoLog(memory, LOG, 4096).recover()).isEqualTo(4);
            assertThat(memory.getLong(A)).isEqualTo(11);
            assertThat(memory.getLong(B)).isEqualTo(22);
            assertThat(memory.getLong(BITS)).isEqualTo(0b100);
            assertThat(log.pending()).isNull();
        }
    }

    @Test
    void aTornLogIsIgnoredAndCleared() {
        DyingMemory memory = new DyingMemory();
        RedoLog log = new RedoLog(memory, LOG, 4096);
        memory.changesLeft = 0;
        assertThatThrownBy(() -> log.commit(batch())).hasMessage("crash");
        memory.changesLeft = Integer.MAX_VALUE;
        memory.putLong(LOG + 16 + 8, 999); // an entry that did not reach the media
        assertThat(log.pending()).isNull();
        assertThat(log.recover()).isZero();
        assertThat(memory.getLong(A)).isZero();
        assertThat(memory.getLong(LOG)).isZero();
    }

    @Test
    void refusesBatchesLargerThanTheLog() {
        RedoLog log = new RedoLog(new DyingMemory(), LOG, 64); // room for 3 entries
        assertThat(log.capacity()).isEqualTo(3);
        assertThatThrownBy(() -> log.commit(batch()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> new RedoBatch().set(3, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
