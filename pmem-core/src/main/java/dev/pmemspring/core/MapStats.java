package dev.pmemspring.core;

/**
 * A map's figures at one moment.
 *
 * @param entries live entries (expired ones not yet removed included)
 * @param bytes bytes of all entries: a 24-byte header, the key and the value each
 * @param checksumFailures entries found damaged since the map was opened, read as misses and removed
 * @param expiredRemoved entries removed because their time had passed
 * @param evicted entries removed by {@link PmemMap#evict}
 * @param salvageDropped entries dropped when the map was salvaged after an unsafe shutdown
 */
public record MapStats(
        long entries, long bytes, long checksumFailures, long expiredRemoved, long evicted, long salvageDropped) {}
