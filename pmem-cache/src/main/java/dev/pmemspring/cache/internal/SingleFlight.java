package dev.pmemspring.cache.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * At most one load per key at a time: the first caller runs the loader, concurrent callers for the
 * same key wait for its result (or its exception). A loader that asks for its own key on the same
 * thread is refused instead of waiting for itself forever.
 */
public final class SingleFlight {

    private record Load(Thread owner, CompletableFuture<Object> result) {}

    private final ConcurrentHashMap<Object, Load> inFlight = new ConcurrentHashMap<>();

    /** Thrown to callers that waited for a load that failed; the cause is the loader's exception. */
    public static final class LoadFailed extends Exception {
        LoadFailed(Throwable cause) {
            super(cause);
        }
    }

    /**
     * The result of {@code work}, run here or by the thread already loading {@code key}.
     *
     * @throws LoadFailed carrying the loader's exception
     */
    public Object run(Object key, Callable<Object> work) throws LoadFailed {
        Load mine = new Load(Thread.currentThread(), new CompletableFuture<>());
        Load other = inFlight.putIfAbsent(key, mine);
        if (other != null) {
            if (other.owner() == Thread.currentThread()) {
                throw new IllegalStateException("recursive load of cache key " + key
                        + ": the loader asked the cache for the key it is loading");
            }
            try {
                return other.result().get();
            } catch (ExecutionException e) {
                throw new LoadFailed(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoadFailed(e);
            }
        }
        try {
            Object value = work.call();
            mine.result().complete(value);
            return value;
        } catch (Throwable t) {
            mine.result().completeExceptionally(t);
            if (t instanceof Error error) {
                throw error;
            }
            throw new LoadFailed(t);
        } finally {
            inFlight.remove(key, mine);
        }
    }
}
