package dev.pmemspring.core.testing;

import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.MemoryDecorator;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A pool's storage failing its write-backs as {@code msync} does on an I/O error, for the tests of
 * every module that check what a stopped pool does (shared through pmem-core's test jar, so that
 * they need not reach into the core's memory seam themselves). In {@code sync} durability every
 * persist point is a write-back.
 *
 * <pre>{@code
 * FailingWriteBacks storage = new FailingWriteBacks();
 * PmemPool pool = storage.opening(() -> PmemPool.create(file, options));
 * storage.failNext(); // the next write-back of that pool fails, the ones after it succeed
 * }</pre>
 */
public final class FailingWriteBacks {

    private final AtomicBoolean failNext = new AtomicBoolean();
    private volatile boolean failAll;

    /**
     * Runs {@code opener}; the pools it opens (on the calling thread, as a Spring context started
     * there opens its pool) write back through this storage.
     */
    public <T> T opening(Supplier<T> opener) {
        MemoryDecorator.set(this::decorate);
        try {
            return opener.get();
        } finally {
            MemoryDecorator.clear();
        }
    }

    /** The next write-back fails, once: an I/O error is reported once, and the storage takes writes again after. */
    public void failNext() {
        failNext.set(true);
    }

    /** Every write-back from now on fails. */
    public void failFromNow() {
        failAll = true;
    }

    private PersistentMemory decorate(PersistentMemory inner) {
        return (PersistentMemory) Proxy.newProxyInstance(
                PersistentMemory.class.getClassLoader(),
                new Class<?>[] {PersistentMemory.class},
                (proxy, method, args) -> {
                    boolean writeBack =
                            method.getName().equals("flush") || method.getName().equals("persist");
                    if (writeBack && (failAll || failNext.compareAndSet(true, false))) {
                        throw ((MappedMemory) inner)
                                .writeBackFailed(
                                        new UncheckedIOException(new IOException("Input/output error (simulated)")));
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
