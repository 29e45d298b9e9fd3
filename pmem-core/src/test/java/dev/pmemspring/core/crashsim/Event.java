package dev.pmemspring.core.crashsim;

/**
 * One recorded call on a pool's {@link dev.pmemspring.core.internal.memory.PersistentMemory}: a store,
 * a flush, a drain or a growth of the file, with its position in the recording and the code that made it.
 */
public sealed interface Event {

    /** Position in the recording, from 0. */
    int index();

    /** The pool code that made the call, e.g. {@code RedoLog.commit:61 < Lanes.commit:104}. */
    String site();

    /**
     * A store, seen as the 8-byte words it touched and the values they held right after it. A store
     * to part of a word records the whole word; copy, fill and byte stores record every word of the
     * range; atomic OR/AND and a successful compare-and-set record the resulting word.
     *
     * @param op what was called ({@code putLong}, {@code copy}, {@code getAndBitwiseOr}, ...)
     * @param offset the first byte the call wrote
     * @param length how many bytes it wrote
     * @param firstWord the 8-aligned offset of {@code words[0]}
     * @param words each touched word's value after the store
     */
    record Store(int index, String op, long offset, long length, long firstWord, long[] words, String site)
            implements Event {

        public long word(int i) {
            return words[i];
        }

        public long wordOffset(int i) {
            return firstWord + 8L * i;
        }

        public int wordCount() {
            return words.length;
        }

        @Override
        public String toString() {
            return "#" + index + " " + op + " [" + offset + ", +" + length + ")"
                    + (site.isEmpty() ? "" : " at " + site);
        }
    }

    /** A write-back of {@code [offset, offset + length)}, effective at the next drain. */
    record Flush(int index, long offset, long length, String site) implements Event {
        @Override
        public String toString() {
            return "#" + index + " flush [" + offset + ", +" + length + ")" + (site.isEmpty() ? "" : " at " + site);
        }
    }

    /** A fence: every earlier flush is complete, every earlier store ordered before later ones. */
    record Drain(int index, String site) implements Event {
        @Override
        public String toString() {
            return "#" + index + " drain" + (site.isEmpty() ? "" : " at " + site);
        }
    }

    /**
     * The pool file grew to {@code size} bytes, zeroed: the file system made the new length and its
     * space durable before the call returned (a {@code sync} pool forces it), so every crash image
     * from here on is this long.
     */
    record Grow(int index, long size, String site) implements Event {
        @Override
        public String toString() {
            return "#" + index + " grow to " + size + " bytes" + (site.isEmpty() ? "" : " at " + site);
        }
    }
}
