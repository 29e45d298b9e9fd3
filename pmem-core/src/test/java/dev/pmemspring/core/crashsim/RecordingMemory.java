package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.internal.memory.MemoryDecorator;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A {@link PersistentMemory} that forwards every call to the real memory and, while recording,
 * writes down each store (as the 8-byte words it left behind), flush and drain, in order, with
 * the code that made it. The crash simulator turns a recording into the images a power loss could
 * leave (see {@link PersistenceModel}).
 *
 * <p>Install it for the pools a thread opens with
 * {@code MemoryDecorator.set(recorder::wrap)}; {@code PmemPool.create} formats through its own
 * mapping, so create the pool, close it, and open it with the decorator set. Recording starts at
 * {@link #start()} (the memory's bytes then are the initial image), or at once when the pool
 * opens if the recorder was made with {@link #fromOpen()} (to record recovery itself).
 */
public final class RecordingMemory implements PersistentMemory {

    /** Frames of these classes are the recording machinery, not the code that made a call. */
    private static final Set<String> MACHINERY = Set.of(
            RecordingMemory.class.getName(),
            FaultyMemory.class.getName(),
            PersistentMemory.class.getName(),
            MemoryDecorator.class.getName());

    private static final StackWalker WALKER = StackWalker.getInstance();
    /** Frames kept per site: enough to tell a redo commit of an undo-log extension from one of an allocation. */
    private static final int SITE_FRAMES = 5;

    private final boolean startOnWrap;
    private PersistentMemory inner;
    private volatile boolean recording;
    private boolean paused;
    private byte[] initial;
    private final List<Event> events = new ArrayList<>();
    private boolean sites = true;
    private boolean inOrder;

    private RecordingMemory(boolean startOnWrap) {
        this.startOnWrap = startOnWrap;
    }

    /** A recorder that starts recording when {@link #start()} is called. */
    public RecordingMemory() {
        this(false);
    }

    /** A recorder that starts recording as soon as it wraps the pool's memory (records the open). */
    public static RecordingMemory fromOpen() {
        return new RecordingMemory(true);
    }

    /** Whether to note the calling code of each event (on by default; costs a stack walk per event). */
    public RecordingMemory withSites(boolean sites) {
        this.sites = sites;
        return this;
    }

    /**
     * Records as durability {@code process} persists: every store counts as flushed when made, so
     * the next drain makes it durable, and the stores since the last drain may land in any subset
     * (as the JIT may reorder them). {@link #persistsInOrder} then says so to the pool, whose logs
     * order their entries instead of checksumming them.
     */
    public RecordingMemory inOrder(boolean inOrder) {
        this.inOrder = inOrder;
        return this;
    }

    @Override
    public boolean persistsInOrder() {
        return inOrder;
    }

    /** The decorator: binds this recorder to the memory of the pool being opened. */
    public PersistentMemory wrap(PersistentMemory memory) {
        if (inner != null) {
            throw new IllegalStateException("a recorder records one pool; make a new one for another open");
        }
        inner = memory;
        if (startOnWrap) {
            start();
        }
        return this;
    }

    /** Starts recording: the memory's current bytes become the initial image. */
    public void start() {
        if (inner == null) {
            throw new IllegalStateException("the recorder is not installed in an open pool yet");
        }
        long size = inner.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("pool of " + size + " bytes is too large to record; use a small pool");
        }
        initial = new byte[(int) size];
        inner.getBytes(0, initial, 0, (int) size);
        events.clear();
        paused = false;
        recording = true;
    }

    /** Stops recording and returns what was recorded. */
    public Recording stop() {
        if (initial == null) {
            throw new IllegalStateException("recording was never started");
        }
        recording = false;
        return new Recording(initial, List.copyOf(events));
    }

    /** Suspends recording (for reads a test makes between steps that must not count as the pool's). */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    public boolean isRecording() {
        return recording && !paused;
    }

    /** Events recorded so far. */
    public int eventCount() {
        return events.size();
    }

    // ---------------------------------------------------------------- recording

    private void stored(String op, long offset, long length) {
        if (!isRecording() || length <= 0) {
            return;
        }
        long first = offset & ~7L;
        long end = (offset + length + 7) & ~7L;
        long[] words = new long[(int) ((end - first) >>> 3)];
        for (int i = 0; i < words.length; i++) {
            words[i] = inner.getLong(first + 8L * i);
        }
        String site = site();
        events.add(new Event.Store(events.size(), op, offset, length, first, words, site));
        if (inOrder) {
            events.add(new Event.Flush(events.size(), offset, length, site));
        }
    }

    private String site() {
        if (!sites) {
            return "";
        }
        return WALKER.walk(frames -> frames.filter(f -> !MACHINERY.contains(f.getClassName()))
                .limit(SITE_FRAMES)
                .map(f -> simpleName(f.getClassName()) + "." + f.getMethodName() + ":" + f.getLineNumber())
                .collect(Collectors.joining(" < ")));
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    // ---------------------------------------------------------------- forwarding

    @Override
    public long size() {
        return inner.size();
    }

    /** Forwards a growth and records it: from this event on, the file is {@code newSize} bytes. */
    @Override
    public void grow(long newSize) throws java.io.IOException {
        inner.grow(newSize);
        if (isRecording()) {
            events.add(new Event.Grow(events.size(), newSize, site()));
        }
    }

    @Override
    public byte getByte(long offset) {
        return inner.getByte(offset);
    }

    @Override
    public void putByte(long offset, byte value) {
        inner.putByte(offset, value);
        stored("putByte", offset, 1);
    }

    @Override
    public short getShort(long offset) {
        return inner.getShort(offset);
    }

    @Override
    public void putShort(long offset, short value) {
        inner.putShort(offset, value);
        stored("putShort", offset, 2);
    }

    @Override
    public int getInt(long offset) {
        return inner.getInt(offset);
    }

    @Override
    public void putInt(long offset, int value) {
        inner.putInt(offset, value);
        stored("putInt", offset, 4);
    }

    @Override
    public long getLong(long offset) {
        return inner.getLong(offset);
    }

    @Override
    public void putLong(long offset, long value) {
        inner.putLong(offset, value);
        stored("putLong", offset, 8);
    }

    @Override
    public void putLongAtomic(long offset, long value) {
        inner.putLongAtomic(offset, value);
        stored("putLongAtomic", offset, 8);
    }

    /**
     * Forwards a compare-and-set (recording the word when it changed). Not marked {@code @Override} so
     * the recorder compiles whether or not the interface declares it.
     */
    public boolean compareAndSetLong(long offset, long expected, long value) {
        boolean set = inner.compareAndSetLong(offset, expected, value);
        if (set) {
            stored("compareAndSetLong", offset, 8);
        }
        return set;
    }

    @Override
    public long getAndBitwiseOr(long offset, long mask) {
        long previous = inner.getAndBitwiseOr(offset, mask);
        stored("getAndBitwiseOr", offset, 8);
        return previous;
    }

    @Override
    public long getAndBitwiseAnd(long offset, long mask) {
        long previous = inner.getAndBitwiseAnd(offset, mask);
        stored("getAndBitwiseAnd", offset, 8);
        return previous;
    }

    @Override
    public void getBytes(long offset, byte[] target, int targetOffset, int length) {
        inner.getBytes(offset, target, targetOffset, length);
    }

    @Override
    public void putBytes(long offset, byte[] source, int sourceOffset, int length) {
        inner.putBytes(offset, source, sourceOffset, length);
        stored("putBytes", offset, length);
    }

    @Override
    public void copy(long sourceOffset, long targetOffset, long length) {
        inner.copy(sourceOffset, targetOffset, length);
        stored("copy", targetOffset, length);
    }

    @Override
    public void fill(long offset, long length, byte value) {
        inner.fill(offset, length, value);
        stored("fill", offset, length);
    }

    @Override
    public void flush(long offset, long length) {
        inner.flush(offset, length);
        if (isRecording()) {
            events.add(new Event.Flush(events.size(), offset, length, site()));
        }
    }

    @Override
    public void drain() {
        inner.drain();
        if (isRecording()) {
            events.add(new Event.Drain(events.size(), site()));
        }
    }
}
