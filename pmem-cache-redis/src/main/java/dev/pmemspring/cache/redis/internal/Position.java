package dev.pmemspring.cache.redis.internal;

/**
 * Where this pool stands in a stream: the last entry applied here, and the epoch (a marker Redis
 * holds beside the stream, new whenever Redis lost it) that entry belongs to.
 */
public record Position(String epoch, StreamId id) {}
