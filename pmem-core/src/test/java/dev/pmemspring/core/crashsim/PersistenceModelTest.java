package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recorder and the persistence model on hand-made recordings: what a store leaves recorded,
 * when it becomes durable, which values a crash may keep, and how wide stores tear.
 */
class PersistenceModelTest {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int SIZE = 64 * 1024;

    private RecordingMemory recorder;
    private PersistentMemory memory;

    @BeforeEach
    void record() {
        recorder = new RecordingMemory();
        memory = recorder.wrap(new MappedMemory(Arena.ofAuto().allocate(SIZE, 64), false));
        memory.putLong(0, 0x1111); // before recording: part of the initial image
        recorder.start();
    }

    private static long word(byte[] image, long offset) {
        return (long) LONGS.get(image, (int) offset);
    }

    private static PersistenceModel at(Recording recording, int point) {
        PersistenceModel model = new PersistenceModel(recording);
        model.advanceTo(point);
        return model;
    }

    @Test
    void recordsEveryStoreAsTheWordsItLeft() {
        memory.putLong(64, 7);
        memory.putInt(68, -1); // part of a word: the whole word is recorded
        memory.putShort(127, (short) 0x0102); // straddles two words
        memory.putBytes(200, new byte[20], 0, 20);
        memory.fill(256, 24, (byte) 1);
        memory.copy(256, 512, 16);
        memory.getAndBitwiseOr(64, 0x100);
        memory.getAndBitwiseAnd(64, ~1L);
        memory.putLongAtomic(8, 3);
        recorder.pause();
        memory.putLong(16, 99); // not recorded
        recorder.resume();
        memory.flush(64, 8);
        memory.drain();
        Recording r = recorder.stop();

        assertThat(r.events()).hasSize(11);
        Event.Store partial = (Event.Store) r.event(1);
        assertThat(partial.firstWord()).isEqualTo(64);
        assertThat(partial.words()).containsExactly(0xFFFF_FFFF_0000_0007L);
        Event.Store straddle = (Event.Store) r.event(2);
        assertThat(straddle.firstWord()).isEqualTo(120);
        assertThat(straddle.wordCount()).isEqualTo(2);
        assertThat(((Event.Store) r.event(3)).wordCount()).isEqualTo(3); // [200, 220): words 200, 208, 216
        assertThat(((Event.Store) r.event(5)).op()).isEqualTo("copy");
        assertThat(((Event.Store) r.event(6)).word(0)).isEqualTo(0xFFFF_FFFF_0000_0107L);
        assertThat(((Event.Store) r.event(7)).word(0)).isEqualTo(0xFFFF_FFFF_0000_0106L);
        assertThat(r.event(9)).isInstanceOf(Event.Flush.class);
        assertThat(r.event(10)).isInstanceOf(Event.Drain.class);
        assertThat(r.event(0).site()).startsWith("PersistenceModelTest.recordsEveryStoreAsTheWordsItLeft:");
        assertThat(word(r.initial(), 0)).isEqualTo(0x1111);
        assertThat(word(r.initial(), 16)).isZero();
    }

    @Test
    void aStoreIsDurableOnlyAfterAFlushCoveringItAndThenADrain() {
        memory.putLong(64, 1); // #0
        memory.flush(64, 8); // #1
        memory.putLong(128, 2); // #2: after the flush of another range
        memory.drain(); // #3
        memory.flush(128, 8); // #4
        memory.drain(); // #5
        Recording r = recorder.stop();

        assertThat(at(r, 1).pendingWords())
                .extracting(PersistenceModel.Word::offset)
                .containsExactly(64L);
        assertThat(at(r, 3).pendingWords())
                .extracting(PersistenceModel.Word::offset)
                .containsExactly(64L, 128L);
        PersistenceModel afterDrain = at(r, 4);
        assertThat(afterDrain.pendingWords())
                .extracting(PersistenceModel.Word::offset)
                .containsExactly(128L);
        assertThat(word(afterDrain.image(afterDrain.allLost()), 64)).isEqualTo(1);
        PersistenceModel end = at(r, 6);
        assertThat(end.pendingWords()).isEmpty();
        assertThat(word(end.durableImage(), 128)).isEqualTo(2);
    }

    @Test
    void aFlushMakesDurableTheValueItSawNotLaterOnes() {
        memory.putLong(64, 1); // #0
        memory.flush(64, 8); // #1
        memory.putLong(64, 2); // #2: after the flush, before the drain
        memory.drain(); // #3
        Recording r = recorder.stop();

        PersistenceModel model = at(r, 4);
        assertThat(word(model.durableImage(), 64)).isEqualTo(1);
        assertThat(model.pendingWords()).singleElement().satisfies(w -> {
            assertThat(w.count()).isEqualTo(1);
            assertThat(w.value(0)).isEqualTo(2);
        });
    }

    @Test
    void aPendingWordKeepsItsDurableValueOrOneWrittenSince() {
        memory.putLong(64, 1);
        memory.putLong(64, 2);
        memory.putLong(64, 3);
        Recording r = recorder.stop();

        PersistenceModel model = at(r, 3);
        Set<Long> seen = new HashSet<>();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            seen.add(word(model.image(model.random(random, 0.5, "r")), 64));
        }
        assertThat(seen).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
        assertThat(word(model.image(model.allLost()), 64)).isZero();
        assertThat(word(model.image(model.allPresent()), 64)).isEqualTo(3);
        assertThat(word(model.image(model.prefix(2, "p")), 64)).isEqualTo(2); // stores #0 and #1 written back
    }

    @Test
    void aWideStoreTearsAtWordBoundaries() {
        byte[] ones = new byte[24];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        memory.putBytes(64, ones, 0, 24);
        Recording r = recorder.stop();

        PersistenceModel model = at(r, 1);
        assertThat(model.pendingWords()).hasSize(3);
        byte[] torn = model.image(model.onlyLost(1));
        assertThat(List.of(word(torn, 64), word(torn, 72), word(torn, 80))).containsExactly(-1L, 0L, -1L);
        byte[] single = model.image(model.onlyPresent(2));
        assertThat(List.of(word(single, 64), word(single, 72), word(single, 80)))
                .containsExactly(0L, 0L, -1L);
        byte[] event = model.image(model.onlyEventLost(0));
        assertThat(word(event, 64)).isZero();
    }

    @Test
    void equalImagesHaveEqualFingerprints() {
        memory.putLong(64, 5);
        memory.flush(64, 8);
        memory.drain();
        memory.putLong(64, 0); // back to the initial value, pending
        Recording r = recorder.stop();

        PersistenceModel model = at(r, 4);
        PersistenceModel.Fingerprint present = model.fingerprint(model.allPresent());
        PersistenceModel.Fingerprint lost = model.fingerprint(model.allLost());
        assertThat(present).isNotEqualTo(lost);
        assertThat(present).isEqualTo(new PersistenceModel(r).fingerprint(new PersistenceModel(r).allLost()));
    }

    @Test
    void theMessageSaysWhatWasKeptAndLost() {
        memory.putLong(64, 5);
        memory.fill(128, 32, (byte) 1);
        Recording r = recorder.stop();

        PersistenceModel model = at(r, 2);
        String text = model.describe(model.onlyEventLost(1), new PoolRegions(r.layout()), 8);
        assertThat(text)
                .contains("only the stores of #1 lost")
                .contains("kept #0 putLong")
                .contains("LOST #1 fill")
                .contains("(0 of 4 words kept)");
    }
}
