package dev.pmemspring.core.internal.memory;

import java.util.function.UnaryOperator;

/**
 * Decorates the memory of pools opened on the calling thread: the seam through which the crash
 * simulator (a test) records every store, flush and fence of a real pool. Unset, it is the
 * identity, and pools use their mapping directly.
 */
public final class MemoryDecorator {

    private static final ThreadLocal<UnaryOperator<PersistentMemory>> CURRENT = new ThreadLocal<>();

    private MemoryDecorator() {}

    /** Decorates the memory of every pool this thread opens until {@link #clear()}. */
    public static void set(UnaryOperator<PersistentMemory> decorator) {
        CURRENT.set(decorator);
    }

    public static void clear() {
        CURRENT.remove();
    }

    /** The memory a pool opened now on this thread should use over its mapping. */
    public static PersistentMemory decorate(PersistentMemory memory) {
        UnaryOperator<PersistentMemory> decorator = CURRENT.get();
        return decorator == null ? memory : decorator.apply(memory);
    }
}
