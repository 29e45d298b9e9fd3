package dev.pmemspring.core;

/** How a pool file is mapped, which decides what a flush costs. */
public enum MappingMode {
    /** {@code MAP_SYNC} on a DAX file system: the mapping is persistent memory, a flush is a CPU cache write-back. */
    DAX_SYNC,
    /** An ordinary shared mapping through the page cache: a flush is {@code msync}. */
    SHARED
}
