package dev.pmemspring.core.crashsim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a power loss may leave of a recording, at each crash point (PMDK's model, as pmemcheck and
 * pmreorder use it).
 *
 * <ul>
 *   <li>A store is <em>durable</em> once a flush covering it and then a drain have both happened:
 *       a flush takes effect only at the next drain (clwb + sfence). The value made durable is the
 *       one the word held when it was flushed.</li>
 *   <li>Every other store is <em>pending</em>: it may have reached the media or not. Each 8-byte
 *       aligned word is failure-atomic on its own, and words are independent: a store wider than
 *       a word may tear at word boundaries, and a later store may land while an earlier one to
 *       another word is lost.</li>
 *   <li>A pending word holds its durable value or any value written to it since: writes to one
 *       word reach the media in order, so whichever was written back last is what stays.</li>
 * </ul>
 *
 * <p>The model walks the recording forward ({@link #advanceTo}); at each point it builds crash
 * images for chosen subsets of the pending words ({@link #image}). Flushes are exact to the word:
 * real hardware writes back whole cache lines (and {@code msync} whole pages), which only makes
 * more durable, so a protocol correct here is correct there.
 */
public final class PersistenceModel {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** A word with stores that are not durable yet. */
    public static final class Word {
        final long offset;
        long durable;
        long[] values = new long[2];
        int[] events = new int[2];
        int count;
        /** Index of the value a flush captured, made durable by the next drain; -1 if none. */
        int flushedUpTo = -1;

        Word(long offset, long durable) {
            this.offset = offset;
            this.durable = durable;
        }

        void add(long value, int event) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
                events = Arrays.copyOf(events, count * 2);
            }
            values[count] = value;
            events[count] = event;
            count++;
        }

        public long offset() {
            return offset;
        }

        public long durable() {
            return durable;
        }

        /** Values written since the durable one, oldest first. */
        public int count() {
            return count;
        }

        public long value(int i) {
            return values[i];
        }

        public int event(int i) {
            return events[i];
        }
    }

    private final Recording recording;
    private final byte[] durable;
    private byte[] work;
    /** The file's length at this point: the initial image's, or what the last growth made it. */
    private int length;

    private final HashMap<Long, Word> pending = new HashMap<>();
    private final List<Word> flushed = new ArrayList<>();
    private int point;
    private long durableHashA;
    private long durableHashB;
    private List<Word> sortedPending;

    public PersistenceModel(Recording recording) {
        this.recording = recording;
        // Room for the largest the file gets; bytes past the current length are zeros until a growth.
        this.durable = Arrays.copyOf(recording.initial(), (int) recording.largestSize());
        this.length = recording.initial().length;
        this.work = new byte[length];
    }

    public Recording recording() {
        return recording;
    }

    /** The crash point reached: events {@code [0, point())} have executed. */
    public int point() {
        return point;
    }

    /** Executes events up to crash point {@code k} (the crash happens before event {@code k}). */
    public void advanceTo(int k) {
        if (k < point || k > recording.size()) {
            throw new IllegalArgumentException("cannot move from crash point " + point + " to " + k);
        }
        while (point < k) {
            apply(recording.event(point++));
        }
        sortedPending = null;
    }

    private void apply(Event event) {
        switch (event) {
            case Event.Store s -> {
                for (int i = 0; i < s.wordCount(); i++) {
                    long at = s.wordOffset(i);
                    pending.computeIfAbsent(at, o -> new Word(o, durableWord(o)))
                            .add(s.word(i), s.index());
                }
            }
            case Event.Flush f -> flush(f.offset(), f.length());
            case Event.Drain d -> drain();
            case Event.Grow g -> length = (int) g.size();
        }
    }

    private void flush(long offset, long length) {
        if (length <= 0) {
            return;
        }
        long first = offset & ~7L;
        long end = (offset + length + 7) & ~7L;
        long words = (end - first) >>> 3;
        if (words > pending.size()) {
            for (Word w : pending.values()) {
                if (w.offset >= first && w.offset < end) {
                    markFlushed(w);
                }
            }
        } else {
            for (long at = first; at < end; at += 8) {
                Word w = pending.get(at);
                if (w != null) {
                    markFlushed(w);
                }
            }
        }
    }

    private void markFlushed(Word w) {
        if (w.flushedUpTo < 0) {
            flushed.add(w);
        }
        w.flushedUpTo = w.count - 1;
    }

    private void drain() {
        for (Word w : flushed) {
            long value = w.values[w.flushedUpTo];
            setDurable(w, value);
            int keep = w.count - (w.flushedUpTo + 1);
            System.arraycopy(w.values, w.flushedUpTo + 1, w.values, 0, keep);
            System.arraycopy(w.events, w.flushedUpTo + 1, w.events, 0, keep);
            w.count = keep;
            w.flushedUpTo = -1;
            if (keep == 0) {
                pending.remove(w.offset);
            }
        }
        flushed.clear();
    }

    private void setDurable(Word w, long value) {
        long old = w.durable;
        if (old != value) {
            durableHashA += hashA(w.offset, value) - hashA(w.offset, old);
            durableHashB += hashB(w.offset, value) - hashB(w.offset, old);
            LONGS.set(durable, (int) w.offset, value);
            w.durable = value;
        }
    }

    private long durableWord(long offset) {
        return (long) LONGS.get(durable, (int) offset);
    }

    /** The words with pending stores at this point, by offset. */
    public List<Word> pendingWords() {
        if (sortedPending == null) {
            sortedPending = new ArrayList<>(pending.values());
            sortedPending.sort(Comparator.comparingLong(Word::offset));
        }
        return sortedPending;
    }

    /** Pending stores (word, value) at this point. */
    public int pendingStores() {
        int n = 0;
        for (Word w : pending.values()) {
            n += w.count;
        }
        return n;
    }

    // ---------------------------------------------------------------- subsets

    /**
     * Which value each pending word (in {@link #pendingWords()} order) keeps: -1 for its durable
     * value (every pending store to it lost), else the index of the last of its values that
     * reached the media.
     */
    public record Subset(String name, int[] choice) {}

    public Subset allLost() {
        int[] c = new int[pendingWords().size()];
        Arrays.fill(c, -1);
        return new Subset("all pending stores lost", c);
    }

    public Subset allPresent() {
        List<Word> words = pendingWords();
        int[] c = new int[words.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = words.get(i).count - 1;
        }
        return new Subset("all pending stores present", c);
    }

    /** Only word {@code i} reached the media (with its last value). */
    public Subset onlyPresent(int i) {
        Subset s = allLost();
        s.choice()[i] = pendingWords().get(i).count - 1;
        return new Subset("only word " + i + " present", s.choice());
    }

    /** Every pending word reached the media except word {@code i}. */
    public Subset onlyLost(int i) {
        Subset s = allPresent();
        s.choice()[i] = -1;
        return new Subset("only word " + i + " lost", s.choice());
    }

    /**
     * Only the words store event {@code event} wrote reached the media (with its values; later
     * stores to them lost), every other pending store lost.
     */
    public Subset onlyEventPresent(int event) {
        List<Word> words = pendingWords();
        int[] c = new int[words.size()];
        for (int i = 0; i < c.length; i++) {
            Word w = words.get(i);
            c[i] = -1;
            for (int v = 0; v < w.count; v++) {
                if (w.events[v] == event) {
                    c[i] = v;
                }
            }
        }
        return new Subset("only the stores of #" + event + " present", c);
    }

    /** Every pending store reached the media except those of store event {@code event}. */
    public Subset onlyEventLost(int event) {
        List<Word> words = pendingWords();
        int[] c = new int[words.size()];
        for (int i = 0; i < c.length; i++) {
            Word w = words.get(i);
            int v = w.count - 1;
            while (v >= 0 && w.events[v] == event) {
                v--;
            }
            c[i] = v;
        }
        return new Subset("only the stores of #" + event + " lost", c);
    }

    /** Each pending store independently present with probability {@code p}; per word the last present wins. */
    public Subset random(SplittableRandom random, double p, String name) {
        List<Word> words = pendingWords();
        int[] c = new int[words.size()];
        for (int i = 0; i < c.length; i++) {
            Word w = words.get(i);
            c[i] = -1;
            for (int v = w.count - 1; v >= 0; v--) {
                if (random.nextDouble() < p) {
                    c[i] = v;
                    break;
                }
            }
        }
        return new Subset(name, c);
    }

    /** The pending stores made before event {@code cut} present, the rest lost: in-order write-back. */
    public Subset prefix(int cut, String name) {
        List<Word> words = pendingWords();
        int[] c = new int[words.size()];
        for (int i = 0; i < c.length; i++) {
            Word w = words.get(i);
            int v = -1;
            while (v + 1 < w.count && w.events[v + 1] < cut) {
                v++;
            }
            c[i] = v;
        }
        return new Subset(name, c);
    }

    /** The event indexes of the pending stores, ascending (for choosing prefix cuts). */
    public int[] pendingEvents() {
        return pending.values().stream()
                .flatMapToInt(w -> Arrays.stream(w.events, 0, w.count))
                .distinct()
                .sorted()
                .toArray();
    }

    // ---------------------------------------------------------------- images

    /** A 128-bit fingerprint of the image a subset gives, to skip images already checked. */
    public record Fingerprint(long a, long b) {}

    public Fingerprint fingerprint(Subset subset) {
        long a = durableHashA;
        long b = durableHashB;
        List<Word> words = pendingWords();
        for (int i = 0; i < words.size(); i++) {
            int v = subset.choice()[i];
            if (v >= 0) {
                Word w = words.get(i);
                long value = w.values[v];
                if (value != w.durable) {
                    a += hashA(w.offset, value) - hashA(w.offset, w.durable);
                    b += hashB(w.offset, value) - hashB(w.offset, w.durable);
                }
            }
        }
        // Two images with the same bytes but different file lengths are different images.
        return new Fingerprint(a + mix(length), b);
    }

    /**
     * The crash image of {@code subset} at this point. The returned array is reused by the next
     * call: write it out before asking for another.
     */
    public byte[] image(Subset subset) {
        if (work.length != length) {
            work = new byte[length];
        }
        System.arraycopy(durable, 0, work, 0, length);
        List<Word> words = pendingWords();
        for (int i = 0; i < words.size(); i++) {
            int v = subset.choice()[i];
            if (v >= 0) {
                Word w = words.get(i);
                LONGS.set(work, (int) w.offset, w.values[v]);
            }
        }
        return work;
    }

    /** A copy of the durable image at this point (every pending store lost). */
    public byte[] durableImage() {
        return Arrays.copyOf(durable, length);
    }

    /**
     * Says what {@code subset} kept and lost: per pending store event (at most {@code limit}), then
     * per word, lost words first (at most {@code limit}).
     */
    public String describe(Subset subset, PoolRegions regions, int limit) {
        List<Word> words = pendingWords();
        int[] choice = subset.choice();
        // Per store event: words it wrote, and how many of them reached the media (its value or a later one).
        java.util.TreeMap<Integer, int[]> byEvent = new java.util.TreeMap<>();
        int kept = 0;
        for (int i = 0; i < words.size(); i++) {
            Word w = words.get(i);
            if (choice[i] >= 0) {
                kept++;
            }
            for (int v = 0; v < w.count; v++) {
                int[] counts = byEvent.computeIfAbsent(w.events[v], e -> new int[2]);
                counts[0]++;
                if (choice[i] >= v) {
                    counts[1]++;
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(subset.name())
                .append(": ")
                .append(words.size())
                .append(" pending words from ")
                .append(byEvent.size())
                .append(" stores, ")
                .append(kept)
                .append(" words kept a pending value");
        int shown = 0;
        for (var e : byEvent.entrySet()) {
            if (shown++ == limit) {
                out.append("\n      ... ").append(byEvent.size() - limit).append(" more stores");
                break;
            }
            int[] c = e.getValue();
            out.append("\n      ")
                    .append(c[1] == 0 ? "LOST " : c[1] == c[0] ? "kept " : "TORN ")
                    .append(regions.describe(recording.event(e.getKey())));
            if (c[0] > 1) {
                out.append(" (").append(c[1]).append(" of ").append(c[0]).append(" words kept)");
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing((Integer i) -> choice[i] == words.get(i).count - 1)); // lost first
        out.append("\n    words:");
        shown = 0;
        for (int i : order) {
            if (shown++ == limit) {
                out.append("\n      ... ").append(words.size() - limit).append(" more words");
                break;
            }
            Word w = words.get(i);
            int v = choice[i];
            out.append("\n      ").append(regions.describe(w.offset)).append(": ");
            if (v >= 0) {
                out.append("kept 0x")
                        .append(Long.toHexString(w.values[v]))
                        .append(" of ")
                        .append(site(w.events[v]));
                if (v < w.count - 1) {
                    out.append(", lost ").append(w.count - 1 - v).append(" later store(s)");
                }
            } else {
                out.append("lost 0x")
                        .append(Long.toHexString(w.values[w.count - 1]))
                        .append(" of ")
                        .append(site(w.events[w.count - 1]))
                        .append(", durable 0x")
                        .append(Long.toHexString(w.durable));
            }
        }
        return out.toString();
    }

    private String site(int event) {
        Event e = recording.event(event);
        String site = e.site();
        int cut = site.indexOf(" < ");
        return "#" + event + (site.isEmpty() ? "" : " (" + (cut < 0 ? site : site.substring(0, cut)) + ")");
    }

    private static long hashA(long offset, long value) {
        return mix(offset * 0x9E3779B97F4A7C15L ^ value);
    }

    private static long hashB(long offset, long value) {
        return mix((value + 0x632BE59BD9B4E019L) * 0xC2B2AE3D27D4EB4FL ^ Long.rotateLeft(offset, 29));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
