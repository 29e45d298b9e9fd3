/**
 * A pool of persistent memory on a memory-mapped file: allocator, transactions, recovery, maps.
 */
module dev.pmemspring.core {
    // ExtendedMapMode.READ_WRITE_SYNC: MAP_SYNC mappings on DAX file systems
    requires jdk.nio.mapmode;
    requires static transitive org.jspecify;

    exports dev.pmemspring.core;
    exports dev.pmemspring.core.tool;
}
