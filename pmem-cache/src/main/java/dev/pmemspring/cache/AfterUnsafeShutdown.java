package dev.pmemspring.cache;

/**
 * What the cache manager does with its caches when the pool was cut by an unsafe shutdown (an OS
 * crash or power loss while open in {@code process} durability, or a dirty shutdown of its device
 * while open in {@code sync}), where any part of it may be torn. The
 * pool must have been opened with {@code acceptUnsafeShutdown} for the manager to see such a pool.
 */
public enum AfterUnsafeShutdown {

    /** Keep the entries whose checksums and structure verify; log how many were dropped. */
    SALVAGE,

    /** Empty every cache and start cold; log that it did. */
    START_COLD
}
