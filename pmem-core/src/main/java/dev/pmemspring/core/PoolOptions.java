package dev.pmemspring.core;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;

/**
 * How to create or open a pool. Immutable; each {@code with} method returns a copy.
 *
 * <pre>{@code
 * PoolOptions options = PoolOptions.layout("orders")
 *         .withSize(256L << 20)          // created at 256 MiB
 *         .withMaxSize(4L << 30)         // grows by itself, online, up to 4 GiB
 *         .withDurability(Durability.PROCESS);
 * }</pre>
 *
 * @param layout the application's name for what the pool holds; opening checks it, so one
 *               application never reads another's pool (at most 63 UTF-8 bytes); {@code null}
 *               opens a pool of any layout (tools), and cannot create one
 * @param size the file size when creating (at least 8 MiB); ignored when opening
 * @param maxSize the size the pool may grow to, fixed at creation: when its space runs out the pool
 *                extends its file by {@code growthStep}, online, up to this; 0 (the default) for
 *                a pool that stays at {@code size}, as PMDK's pools do. Ignored when opening (the
 *                pool keeps the maximum it was created with)
 * @param growthStep bytes added per growth; 0 (the default) for a quarter of the pool's size, at
 *                   least 64 MiB
 * @param durability what a completed write survives (default {@link Durability#SYNC})
 * @param lockTimeout how long a transaction waits for a range or block another one holds before
 *                    it aborts (default 2 s)
 * @param acceptUnsafeShutdown open a pool even if a machine crash cut it while it was open in
 *                             {@code PROCESS} mode (default false: {@link PoolUnsafeShutdownException})
 */
public record PoolOptions(
        @Nullable String layout,
        long size,
        long maxSize,
        long growthStep,
        Durability durability,
        Duration lockTimeout,
        boolean acceptUnsafeShutdown) {

    /** The size a pool is created with unless told otherwise: 64 MiB. */
    public static final long DEFAULT_SIZE = 64L << 20;
    /** How long a transaction waits for a lock unless told otherwise: 2 s. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(2);

    public PoolOptions {
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        if (lockTimeout.isNegative()) {
            throw new IllegalArgumentException("lock timeout must not be negative: " + lockTimeout);
        }
        if (maxSize != 0 && maxSize < size) {
            throw new IllegalArgumentException("the maximum size (" + maxSize + " bytes) must be 0 (no growth) or at"
                    + " least the size (" + size + " bytes)");
        }
        if (growthStep < 0) {
            throw new IllegalArgumentException("the growth step must not be negative: " + growthStep);
        }
    }

    /** The size a pool created with these options may grow to: {@link #maxSize()}, or the size when that is 0. */
    public long effectiveMaxSize() {
        return maxSize == 0 ? size : maxSize;
    }

    /** Options for {@code layout}, with the default size and {@link Durability#SYNC}. */
    public static PoolOptions layout(String layout) {
        return new PoolOptions(layout, DEFAULT_SIZE, 0, 0, Durability.SYNC, DEFAULT_LOCK_TIMEOUT, false);
    }

    /** Options that open a pool whatever its layout, as tools do. */
    public static PoolOptions anyLayout() {
        return new PoolOptions(null, DEFAULT_SIZE, 0, 0, Durability.SYNC, DEFAULT_LOCK_TIMEOUT, false);
    }

    public PoolOptions withSize(long size) {
        return new PoolOptions(layout, size, maxSize, growthStep, durability, lockTimeout, acceptUnsafeShutdown);
    }

    /** A pool that grows up to {@code maxSize} bytes (0: never grows); see {@link #maxSize()}. */
    public PoolOptions withMaxSize(long maxSize) {
        return new PoolOptions(layout, size, maxSize, growthStep, durability, lockTimeout, acceptUnsafeShutdown);
    }

    /** Bytes per growth (0: the default); see {@link #growthStep()}. */
    public PoolOptions withGrowthStep(long growthStep) {
        return new PoolOptions(layout, size, maxSize, growthStep, durability, lockTimeout, acceptUnsafeShutdown);
    }

    public PoolOptions withDurability(Durability durability) {
        return new PoolOptions(layout, size, maxSize, growthStep, durability, lockTimeout, acceptUnsafeShutdown);
    }

    public PoolOptions withLockTimeout(Duration lockTimeout) {
        return new PoolOptions(layout, size, maxSize, growthStep, durability, lockTimeout, acceptUnsafeShutdown);
    }

    public PoolOptions withAcceptUnsafeShutdown(boolean acceptUnsafeShutdown) {
        return new PoolOptions(layout, size, maxSize, growthStep, durability, lockTimeout, acceptUnsafeShutdown);
    }
}
