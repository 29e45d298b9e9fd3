package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.internal.file.PoolLayout;

/** Names the region of the pool an offset lies in, for messages: "lane 0 redo +8", "chunk table [3]". */
public final class PoolRegions {

    private final PoolLayout layout;

    public PoolRegions(PoolLayout layout) {
        this.layout = layout;
    }

    public PoolLayout layout() {
        return layout;
    }

    /** Where {@code offset} lies, e.g. {@code lane 0 undo +16 (offset 13328)}. */
    public String describe(long offset) {
        return region(offset) + " (offset " + offset + ")";
    }

    public String region(long offset) {
        if (offset < PoolLayout.HEADER_B) {
            return "header A +" + offset;
        }
        if (offset < PoolLayout.STATE) {
            return "header B +" + (offset - PoolLayout.HEADER_B);
        }
        if (offset < PoolLayout.LANES) {
            if (offset == PoolLayout.ROOT_HANDLE) {
                return "root handle";
            }
            if (offset == PoolLayout.ROOT_SIZE) {
                return "root size";
            }
            if (offset == PoolLayout.STOPPED) {
                return "stop mark";
            }
            if (offset >= PoolLayout.SHUTDOWN_STATE && offset < PoolLayout.SHUTDOWN_STATE + 16) {
                return "shutdown state +" + (offset - PoolLayout.SHUTDOWN_STATE);
            }
            return "pool state +" + (offset - PoolLayout.STATE);
        }
        if (offset < layout.heapTableOffset()) {
            long rel = offset - PoolLayout.LANES;
            int lane = (int) (rel / PoolLayout.LANE_SIZE);
            long in = rel % PoolLayout.LANE_SIZE;
            if (lane >= layout.laneCount()) {
                return "lane padding +" + (offset - layout.laneOffset(layout.laneCount()));
            }
            return in < PoolLayout.REDO_SIZE
                    ? "lane " + lane + " redo +" + in
                    : "lane " + lane + " undo +" + (in - PoolLayout.REDO_SIZE);
        }
        if (offset < layout.chunkDataOffset()) {
            long rel = offset - layout.heapTableOffset();
            return rel / 8 < layout.maxChunkCount()
                    ? "chunk table [" + rel / 8 + "]" + (rel % 8 == 0 ? "" : " +" + rel % 8)
                    : "chunk table padding";
        }
        int chunk = layout.chunkOf(offset);
        if (chunk >= 0) {
            return "chunk " + chunk + " +" + (offset - layout.chunkOffset(chunk));
        }
        return "past the heap +" + (offset - layout.heapEnd());
    }

    /** The event with its offsets named. */
    public String describe(Event e) {
        return switch (e) {
            case Event.Store s ->
                "#" + s.index() + " " + s.op() + " " + range(s.offset(), s.length())
                        + (s.wordCount() == 1 ? " = 0x" + Long.toHexString(s.word(0)) : "") + at(s.site());
            case Event.Flush f -> "#" + f.index() + " flush " + range(f.offset(), f.length()) + at(f.site());
            case Event.Drain d -> "#" + d.index() + " drain" + at(d.site());
            case Event.Grow g -> "#" + g.index() + " grow the file to " + g.size() + " bytes" + at(g.site());
        };
    }

    private String range(long offset, long length) {
        return length == 8 ? "[" + describe(offset) + ", 8 B]" : "[" + describe(offset) + ", " + length + " B]";
    }

    private static String at(String site) {
        return site.isEmpty() ? "" : " at " + site;
    }
}
