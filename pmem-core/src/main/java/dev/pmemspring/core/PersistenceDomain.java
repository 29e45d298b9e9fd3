package dev.pmemspring.core;

/**
 * Where a store becomes persistent on the device under a pool, as Linux reports it for the
 * persistent-memory region ({@code /sys/bus/nd/devices/regionN/persistence_domain}). It decides
 * what a persist point costs in {@link Durability#SYNC} on a {@link MappingMode#DAX_SYNC} mapping.
 */
public enum PersistenceDomain {

    /**
     * The CPU caches are inside the persistence domain (eADR, or CXL memory with global persistent
     * flush): a store is persistent once it is in the cache, so a persist point is a fence and no
     * cache write-back.
     */
    CPU_CACHE,

    /**
     * The memory controller is the persistence domain (ADR): a persist point writes the cache lines
     * back, then fences.
     */
    MEMORY_CONTROLLER,

    /**
     * Linux reports nothing: the file is not on persistent memory (page cache, tmpfs), or the
     * kernel or platform does not say. A persist point in {@code sync} durability writes back
     * (on DAX) or calls {@code msync} (elsewhere).
     */
    UNKNOWN
}
