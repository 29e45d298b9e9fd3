package dev.pmemspring.core.internal.heap;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The volatile index of free chunk spans: by start, to find neighbours to coalesce with, and by
 * length, for best fit (smallest span that fits, lowest address first). Not thread-safe: the heap
 * guards it with its lock. Adjacent spans are merged here even when their persistent headers are
 * still separate; the next change to the span writes one header for the whole.
 */
final class FreeSpans {

    private final TreeMap<Integer, Integer> byStart = new TreeMap<>();
    private final TreeSet<Long> byLength = new TreeSet<>();
    private long freeChunks;

    /** A span taken out of the index. */
    record Span(int start, int length) {
        int end() {
            return start + length;
        }
    }

    void add(int start, int length) {
        byStart.put(start, length);
        byLength.add(key(length, start));
        freeChunks += length;
    }

    /** Adds a span merged with its free neighbours. */
    void addMerged(int start, int length) {
        Span merged = takeNeighbours(start, length);
        add(merged.start(), merged.length());
    }

    /**
     * Removes the free neighbours of {@code [start, start + length)} from the index and returns the
     * span they form together with it.
     */
    private Span takeNeighbours(int start, int length) {
        int s = start;
        int len = length;
        Map.Entry<Integer, Integer> before = byStart.lowerEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            remove(before.getKey(), before.getValue());
            s = before.getKey();
            len += before.getValue();
        }
        Integer afterLength = byStart.get(start + length);
        if (afterLength != null) {
            remove(start + length, afterLength);
            len += afterLength;
        }
        return new Span(s, len);
    }

    /** Removes and returns the best-fitting span of at least {@code length} chunks, or null. */
    Span takeBestFit(int length) {
        Long key = byLength.ceiling(key(length, 0));
        if (key == null) {
            return null;
        }
        Span span = new Span((int) (key & 0xFFFFFFFFL), (int) (key >>> 32));
        remove(span.start(), span.length());
        return span;
    }

    private void remove(int start, int length) {
        byStart.remove(start);
        byLength.remove(key(length, start));
        freeChunks -= length;
    }

    long freeChunks() {
        return freeChunks;
    }

    int largestSpan() {
        return byLength.isEmpty() ? 0 : (int) (byLength.last() >>> 32);
    }

    int spanCount() {
        return byStart.size();
    }

    private static long key(int length, int start) {
        return ((long) length << 32) | (start & 0xFFFFFFFFL);
    }
}
