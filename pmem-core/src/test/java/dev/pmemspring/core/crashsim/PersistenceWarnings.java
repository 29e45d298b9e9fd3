package dev.pmemspring.core.crashsim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * pmemcheck-style warnings over a recording: performance and durability mistakes that need no
 * crash to show.
 *
 * <ul>
 *   <li>{@link Kind#UNNECESSARY_FLUSH}: a flush of a range in which no word was stored since it was
 *       last flushed (or since recording began): a wasted write-back, an {@code msync} in
 *       {@code sync} mode on a file system without DAX.</li>
 *   <li>{@link Kind#UNFLUSHED_AT_COMMIT}: a store not yet flushed when a drain the caller marks as a
 *       commit point runs: whatever that commit publishes may be lost behind it.</li>
 *   <li>{@link Kind#NOT_DURABLE_AT_END}: a store not flushed and drained by the end of the recorded
 *       operation: the operation returned with it still volatile.</li>
 * </ul>
 * A word counts as flushed when a flush covers it; warnings are grouped by the store that last
 * wrote the words concerned.
 */
public final class PersistenceWarnings {

    public enum Kind {
        UNNECESSARY_FLUSH,
        UNFLUSHED_AT_COMMIT,
        NOT_DURABLE_AT_END
    }

    /** One warning: the event it is about (the flush, or the store left unflushed) and where. */
    public record Warning(Kind kind, int event, long offset, long length, String site, String message) {
        @Override
        public String toString() {
            return kind + ": " + message;
        }
    }

    private static final class WordState {
        int lastStore;
        boolean dirty;
        boolean awaitingDrain;
    }

    private final List<Warning> warnings;

    private PersistenceWarnings(List<Warning> warnings) {
        this.warnings = warnings;
    }

    /** Warnings of {@code recording}, with no drain marked as a commit point. */
    public static PersistenceWarnings analyze(Recording recording) {
        return analyze(recording, drain -> false);
    }

    /** Warnings of {@code recording}; {@code commitPoint} marks the drains that commit. */
    public static PersistenceWarnings analyze(Recording recording, Predicate<Event.Drain> commitPoint) {
        PoolRegions regions = new PoolRegions(recording.layout());
        Map<Long, WordState> words = new HashMap<>();
        List<WordState> awaiting = new ArrayList<>();
        List<Warning> out = new ArrayList<>();
        for (Event event : recording.events()) {
            switch (event) {
                case Event.Store s -> {
                    for (int i = 0; i < s.wordCount(); i++) {
                        WordState w = words.computeIfAbsent(s.wordOffset(i), o -> new WordState());
                        w.lastStore = s.index();
                        w.dirty = true;
                    }
                }
                case Event.Flush f -> {
                    boolean any = false;
                    long first = f.offset() & ~7L;
                    long end = (f.offset() + f.length() + 7) & ~7L;
                    if ((end - first) / 8 > words.size()) {
                        for (Map.Entry<Long, WordState> e : words.entrySet()) {
                            if (e.getKey() >= first && e.getKey() < end) {
                                any |= flushWord(e.getValue(), awaiting);
                            }
                        }
                    } else {
                        for (long at = first; at < end; at += 8) {
                            WordState w = words.get(at);
                            if (w != null) {
                                any |= flushWord(w, awaiting);
                            }
                        }
                    }
                    if (!any && f.length() > 0) {
                        out.add(new Warning(
                                Kind.UNNECESSARY_FLUSH,
                                f.index(),
                                f.offset(),
                                f.length(),
                                f.site(),
                                regions.describe(f) + ": no store to the range since it was last flushed"));
                    }
                }
                case Event.Grow g -> {
                    // new zeroed file space: no store to track
                }
                case Event.Drain d -> {
                    if (commitPoint.test(d)) {
                        report(
                                words,
                                recording,
                                regions,
                                out,
                                Kind.UNFLUSHED_AT_COMMIT,
                                w -> w.dirty,
                                " was not flushed before the commit point " + regions.describe(d));
                    }
                    for (WordState w : awaiting) {
                        w.awaitingDrain = false;
                    }
                    awaiting.clear();
                }
            }
        }
        report(
                words,
                recording,
                regions,
                out,
                Kind.NOT_DURABLE_AT_END,
                w -> w.dirty || w.awaitingDrain,
                " is not durable at the end of the recording (never flushed, or flushed without a drain after)");
        return new PersistenceWarnings(out);
    }

    private static boolean flushWord(WordState w, List<WordState> awaiting) {
        if (!w.dirty) {
            return false;
        }
        w.dirty = false;
        if (!w.awaitingDrain) {
            w.awaitingDrain = true;
            awaiting.add(w);
        }
        return true;
    }

    private static void report(
            Map<Long, WordState> words,
            Recording recording,
            PoolRegions regions,
            List<Warning> out,
            Kind kind,
            Predicate<WordState> bad,
            String what) {
        TreeMap<Integer, long[]> byStore = new TreeMap<>(); // store event -> {first word, last word, count}
        for (Map.Entry<Long, WordState> e : words.entrySet()) {
            WordState w = e.getValue();
            if (bad.test(w)) {
                long[] r = byStore.computeIfAbsent(w.lastStore, s -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
                r[0] = Math.min(r[0], e.getKey());
                r[1] = Math.max(r[1], e.getKey());
                r[2]++;
            }
        }
        for (Map.Entry<Integer, long[]> e : byStore.entrySet()) {
            Event store = recording.event(e.getKey());
            long[] r = e.getValue();
            out.add(new Warning(
                    kind,
                    e.getKey(),
                    r[0],
                    r[1] + 8 - r[0],
                    store.site(),
                    r[2] + " word(s) of " + regions.describe(store) + ", from " + regions.describe(r[0]) + "," + what));
        }
    }

    public List<Warning> all() {
        return warnings;
    }

    public List<Warning> of(Kind kind) {
        return warnings.stream().filter(w -> w.kind() == kind).toList();
    }

    public List<Warning> unnecessaryFlushes() {
        return of(Kind.UNNECESSARY_FLUSH);
    }

    public List<Warning> unflushedAtCommit() {
        return of(Kind.UNFLUSHED_AT_COMMIT);
    }

    public List<Warning> notDurableAtEnd() {
        return of(Kind.NOT_DURABLE_AT_END);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(warnings.size() + " warning(s)");
        for (Warning w : warnings) {
            out.append("\n  ").append(w);
        }
        return out.toString();
    }
}
