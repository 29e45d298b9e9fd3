package dev.pmemspring.core;

import java.util.Objects;

/**
 * How to create or open a pool. Immutable; each {@code with} method returns a copy.
 *
 * <pre>{@code
 * PoolOptions options = PoolOptions.layout("orders")
 *         .withSize(256L << 20)
 *         .withDurability(Durability.PROCESS);
 * }</pre>
 *
 * @param layout the application's name for what the pool holds; opening checks it, so one
 *               application never reads another's pool (at most 63 UTF-8 bytes); {@code null}
 *               opens a pool of any layout (tools), and cannot create one
 * @param size the file size when creating (at least 8 MiB); ignored when opening
 * @param durability what a completed write survives (default {@link Durability#SYNC})
 */
public record PoolOptions(String layout, long size, Durability durability) {

    /** The size a pool is created with unless told otherwise: 64 MiB. */
    public static final long DEFAULT_SIZE = 64L << 20;

    public PoolOptions {
        Objects.requireNonNull(durability, "durability");
    }

    /** Options for {@code layout}, with the default size and {@link Durability#SYNC}. */
    public static PoolOptions layout(String layout) {
        return new PoolOptions(layout, DEFAULT_SIZE, Durability.SYNC);
    }

    /** Options that open a pool whatever its layout, as tools do. */
    public static PoolOptions anyLayout() {
        return new PoolOptions(null, DEFAULT_SIZE, Durability.SYNC);
    }

    public PoolOptions withSize(long size) {
        return new PoolOptions(layout, size, durability);
    }

    public PoolOptions withDurability(Durability durability) {
        return new PoolOptions(layout, size, durability);
    }
}
