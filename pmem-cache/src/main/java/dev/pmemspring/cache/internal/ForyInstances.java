package dev.pmemspring.cache.internal;

import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.ForyBuilder;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.resolver.SharedRegistry;
import org.jspecify.annotations.Nullable;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The Fory instances of one configuration, and the buffers they write into and read from (a Fory
 * instance serves one call at a time): one instance and its buffers per platform thread, made at
 * the thread's first call, and a pool shared by virtual threads and by calls nested in another on
 * the same thread (a value's {@code writeReplace} that caches, or {@code readResolve} that reads, a
 * value), which take buffers of their own. With two threads, borrowing from Fory's pool on every
 * call cost about a fifth of a cache hit (docs/benchmarks.md), most likely because the borrows
 * contend: the pool's slots are neighbours in one array, and two threads can prefer one slot.
 * The per-thread instances share one registry of class metadata, as a Fory pool's instances do;
 * each takes about 5 KB with it (62 KB without) and lives as long as its thread. A virtual thread
 * lives for a task or two, so one per virtual thread would be made per task.
 */
public final class ForyInstances {

    /** The size of a new output buffer. */
    private static final int INITIAL = 256;
    /** After a value longer than this a thread's output buffer, grown for it, is not kept. */
    private static final int KEPT = 64 * 1024;

    private static final byte[] NOTHING = new byte[0];

    private final Supplier<ForyBuilder> configuration;
    private final int poolSize;
    private final SharedRegistry registry = new SharedRegistry();
    private final ThreadLocal<Held> perThread;
    private volatile @Nullable ThreadSafeFory pool;

    /** A platform thread's instance and buffers, and whether a call on the thread is using them. */
    private static final class Held {
        final Fory fory;
        MemoryBuffer output = MemoryBuffer.newHeapBuffer(INITIAL);
        /** Pointed at the bytes of each read, so that no buffer object is made per read. */
        final MemoryBuffer input = MemoryBuffer.newHeapBuffer(0);

        boolean busy;

        Held(Fory fory) {
            this.fory = fory;
        }
    }

    /**
     * @param configuration a builder of this configuration, asked for each instance made
     * @param poolSize the instances of the shared pool
     */
    public ForyInstances(Supplier<ForyBuilder> configuration, int poolSize) {
        this.configuration = configuration;
        this.poolSize = poolSize;
        this.perThread = ThreadLocal.withInitial(
                () -> new Held(configuration.get().withSharedRegistry(registry).build()));
    }

    /**
     * The bytes of {@code value} after {@code headroom} bytes left zero, led by {@code marker} when
     * it is not -1: written into the thread's buffer and copied out once.
     */
    public byte[] serialize(Object value, int headroom, int marker) {
        Held held = take();
        MemoryBuffer buffer = held != null ? held.output : MemoryBuffer.newHeapBuffer(INITIAL);
        try {
            buffer.ensure(headroom + 1);
            buffer.writerIndex(headroom);
            if (marker != -1) {
                buffer.writeByte((byte) marker);
            }
            if (held != null) {
                held.fory.serialize(buffer, value);
            } else {
                pool().serialize(buffer, value);
            }
            int length = buffer.writerIndex();
            byte[] out = new byte[length];
            buffer.copyToByteArray(headroom, out, headroom, length - headroom);
            return out;
        } catch (RuntimeException | Error e) {
            if (held != null) {
                // Fory's write context does not clear all its state after a failed write (its
                // stack of generic types): the thread gets a fresh instance rather than reuse this one.
                perThread.remove();
            }
            throw e;
        } finally {
            if (held != null) {
                if (buffer.writerIndex() > KEPT) {
                    held.output = MemoryBuffer.newHeapBuffer(INITIAL); // a rare large value's buffer goes
                }
                held.busy = false;
            }
        }
    }

    /** Reads a value from {@code bytes[offset, offset + length)}, in place. */
    public Object deserialize(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length); // pointTo checks nothing
        Held held = take();
        if (held == null) {
            return pool().deserialize(MemoryBuffer.fromByteArray(bytes, offset, length));
        }
        MemoryBuffer buffer = held.input;
        try {
            buffer.pointTo(bytes, offset, length);
            buffer.readerIndex(0);
            return held.fory.deserialize(buffer);
        } finally {
            buffer.pointTo(NOTHING, 0, 0); // holds no caller's array
            held.busy = false;
        }
    }

    /** This platform thread's instance and buffers, marked busy; null on a virtual thread or when busy. */
    private @Nullable Held take() {
        if (Thread.currentThread().isVirtual()) {
            return null;
        }
        Held held = perThread.get();
        if (held.busy) {
            return null;
        }
        held.busy = true;
        return held;
    }

    private ThreadSafeFory pool() {
        ThreadSafeFory made = pool;
        if (made == null) {
            synchronized (this) {
                made = pool;
                if (made == null) {
                    made = configuration.get().buildThreadSafeForyPool(poolSize);
                    pool = made;
                }
            }
        }
        return made;
    }
}
