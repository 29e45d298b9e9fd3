package dev.pmemspring.cache.internal;

import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.ForyBuilder;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.resolver.SharedRegistry;
import org.jspecify.annotations.Nullable;

import java.util.function.Supplier;

/**
 * The Fory instances of one configuration (a Fory instance serves one call at a time): one per
 * platform thread, made at the thread's first call, and a pool shared by virtual threads and by
 * calls nested in another on the same thread (a value's {@code writeReplace} that caches, or
 * {@code readResolve} that reads, a value). With two threads, borrowing from Fory's pool on every
 * call cost about a fifth of a cache hit (docs/benchmarks.md), most likely because the borrows
 * contend: the pool's slots are neighbours in one array, and two threads can prefer one slot.
 * The per-thread instances share one registry of class metadata, as a Fory pool's instances do;
 * each takes about 5 KB with it (62 KB without) and lives as long as its thread. A virtual thread
 * lives for a task or two, so one per virtual thread would be made per task.
 */
public final class ForyInstances {

    private final Supplier<ForyBuilder> configuration;
    private final int poolSize;
    private final SharedRegistry registry = new SharedRegistry();
    private final ThreadLocal<Held> perThread;
    private volatile @Nullable ThreadSafeFory pool;

    /** A platform thread's instance, and whether a call on the thread is using it. */
    private static final class Held {
        final Fory fory;
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

    /** Writes {@code value} into {@code buffer} at its writer index. */
    public void serialize(MemoryBuffer buffer, Object value) {
        Held held = take();
        if (held == null) {
            pool().serialize(buffer, value);
            return;
        }
        try {
            held.fory.serialize(buffer, value);
        } catch (RuntimeException | Error e) {
            // Fory's write context does not clear all its state after a failed write (its stack of
            // generic types): the thread gets a fresh instance rather than reuse this one.
            perThread.remove();
            throw e;
        } finally {
            held.busy = false;
        }
    }

    /** Reads a value from {@code buffer} at its reader index. */
    public Object deserialize(MemoryBuffer buffer) {
        Held held = take();
        if (held == null) {
            return pool().deserialize(buffer);
        }
        try {
            return held.fory.deserialize(buffer);
        } finally {
            held.busy = false;
        }
    }

    /** This platform thread's instance, marked busy; null on a virtual thread or when it is busy. */
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
