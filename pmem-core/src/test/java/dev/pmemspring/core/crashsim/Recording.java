package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.internal.file.PoolHeader;
import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.Arrays;

import java.util.List;
import java.util.function.Predicate;

/**
 * What a {@link RecordingMemory} saw: the pool's bytes when recording started, and every store,
 * flush and drain after that, in program order.
 *
 * @param initial the pool image at the start (the durable state of crash point 0)
 * @param events the calls, {@code events.get(i).index() == i}
 */
public record Recording(byte[] initial, List<Event> events) {

    public int size() {
        return events.size();
    }

    public Event event(int index) {
        return events.get(index);
    }

    public long poolSize() {
        return initial.length;
    }

    /** The pool's layout when recording started, as its header gives it. */
    public PoolLayout layout() {
        PoolHeader.Decoded header = PoolHeader.decode(Arrays.copyOf(initial, PoolLayout.HEADER_SIZE));
        if (!header.valid()) {
            return PoolLayout.of(initial.length, PoolLayout.DEFAULT_LANES);
        }
        PoolHeader h = header.header();
        return PoolLayout.of(h.poolSize(), h.maxSize(), h.laneCount());
    }

    /** The layout of an open pool's memory, at the size its header records (copy A, or B if A is torn). */
    public static PoolLayout layoutOf(PersistentMemory memory) {
        for (long at : new long[] {PoolLayout.HEADER_A, PoolLayout.HEADER_B}) {
            byte[] raw = new byte[PoolLayout.HEADER_SIZE];
            memory.getBytes(at, raw, 0, raw.length);
            PoolHeader.Decoded decoded = PoolHeader.decode(raw);
            if (decoded.valid()) {
                PoolHeader h = decoded.header();
                return PoolLayout.of(h.poolSize(), h.maxSize(), h.laneCount());
            }
        }
        throw new AssertionError("neither header copy is valid in an opened pool");
    }

    /** The longest the file gets during the recording. */
    public long largestSize() {
        long largest = initial.length;
        for (Event e : events) {
            if (e instanceof Event.Grow g) {
                largest = Math.max(largest, g.size());
            }
        }
        return largest;
    }

    /** The recording cut to its first {@code n} events (what a crash at point {@code n} had executed). */
    public Recording prefix(int n) {
        return new Recording(initial, events.subList(0, n));
    }

    /** The index of the first event {@code test} accepts; throws if none does. */
    public int first(Predicate<Event> test) {
        for (Event e : events) {
            if (test.test(e)) {
                return e.index();
            }
        }
        throw new IllegalArgumentException("no such event in the recording:\n" + dump());
    }

    /** The index of the last event {@code test} accepts; throws if none does. */
    public int last(Predicate<Event> test) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (test.test(events.get(i))) {
                return i;
            }
        }
        throw new IllegalArgumentException("no such event in the recording:\n" + dump());
    }

    /** Events made directly by {@code Class.method} (the innermost frame of their site), e.g. {@code "RedoLog.commit"}. */
    public static Predicate<Event> madeBy(String classDotMethod) {
        return e -> e.site().startsWith(classDotMethod + ":");
    }

    /** Events with {@code Class.method} anywhere in their (four-frame) site. */
    public static Predicate<Event> within(String classDotMethod) {
        return e -> e.site().contains(classDotMethod + ":");
    }

    public long stores() {
        return events.stream().filter(e -> e instanceof Event.Store).count();
    }

    public long flushes() {
        return events.stream().filter(e -> e instanceof Event.Flush).count();
    }

    public long drains() {
        return events.stream().filter(e -> e instanceof Event.Drain).count();
    }

    public String summary() {
        return size() + " events (" + stores() + " stores, " + flushes() + " flushes, " + drains() + " drains) over a "
                + initial.length + "-byte pool";
    }

    /** The recording, one event a line, with the region each offset lies in. */
    public String dump() {
        PoolRegions regions = new PoolRegions(layout());
        StringBuilder out = new StringBuilder();
        for (Event e : events) {
            out.append(regions.describe(e)).append('\n');
        }
        return out.toString();
    }
}
