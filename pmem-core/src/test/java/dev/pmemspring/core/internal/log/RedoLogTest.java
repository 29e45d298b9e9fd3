package dev.pmemspring.core.internal.log;

import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedoLogTest {

    private static final long LOG = 0;
    private static final long A = 8192;
    private static final long B = 8200;
    private static final long BITS = 8208;

    /** Memory that dies (throws) at the n-th change of a word outside the log area: a crash mid-apply. */
    static final class DyingMemory implements PersistentMemory {
        final PersistentMemory inner = new MappedMemory(Arena.ofAuto().allocate(16384, 64), false);
        int changesLeft = Integer.MAX_VALUE;

        private void change(long offset) {
            if (offset >= 4096 && changesLeft-- <= 0) {
                throw new IllegalStateException("crash");
            }
        }

        public long size() { return inner.size(); }
        public byte getByte(long o) { return inner.getByte(o); }
        public void putByte(long o, byte v) { change(o); inner.putByte(o, v); }
        public short getShort(long o) { return inner.getShort(o); }
        public void putShort(long o, short v) { change(o); inner.putShort(o, v); }
        public int getInt(long o) { return inner.getInt(o); }
        public void putInt(long o, int v) { change(o); inner.putInt(o, v); }
        public long getLong(long o) { return inner.getLong(o); }
        public void putLong(long o, long v) { change(o); inner.putLong(o, v); }
        public void putLongAtomic(long o, long v) { change(o); inner.putLongAtomic(o, v); }
        public long getAndBitwiseOr(long o, long m) { change(o); return inner.getAndBitwiseOr(o, m); }
        public long getAndBitwiseAnd(long o, long m) { change(o); return inner.getAndBitwiseAnd(o, m); }
        public void getBytes(long o, byte[] t, int to, int l) { inner.getBytes(o, t, to, l); }
        public void putBytes(long o, byte[] s, int so, int l) { change(o); inner.putBytes(o, s, so, l); }
        public void copy(long s, long t, long l) { change(t); inner.copy(s, t, l); }
        public void fill(long o, long l, byte v) { change(o); inner.fill(o, l, v); }
        public void flush(long o, long l) { inner.flush(o, l); }
        public void drain() { inner.drain(); }
    }

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
        assertThatThrownBy(() -> log.commit(batch())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> new RedoBatch().set(3, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
