package dev.pmemspring.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * A pool's identity, configuration and state, as the {@code info} tool prints it.
 *
 * @param path the pool file
 * @param uuid the pool's identity, fixed at creation
 * @param layout the application layout name
 * @param formatVersion on-media format, as {@code major.minor}
 * @param created when the pool was created
 * @param durability the persist mode in force
 * @param mapping how the file is mapped
 * @param persistenceDomain where a store becomes persistent on the device, as Linux reports it
 * @param flush what a persist point does
 * @param deviceDirtyShutdowns the device's dirty shutdown count at open, or -1 when it reports none
 * @param lanes log lanes (at most this many threads run allocator operations at once)
 * @param stats space figures
 * @param runs runs of small-block units
 * @param lastRecovery what opening the pool had to repair
 */
public record PoolInfo(
        Path path,
        UUID uuid,
        String layout,
        String formatVersion,
        Instant created,
        Durability durability,
        MappingMode mapping,
        PersistenceDomain persistenceDomain,
        FlushMethod flush,
        long deviceDirtyShutdowns,
        int lanes,
        PoolStats stats,
        int runs,
        RecoveryReport lastRecovery) {}
