package dev.pmemspring.cache;

import java.util.Map;
import java.util.Objects;

/**
 * What a cache manager did with its caches when it found the pool cut by an unsafe shutdown (an OS
 * crash or a power loss while the pool was open in {@code process} durability, or a dirty shutdown
 * of its device while open in {@code sync}): per cache, the
 * entries it kept because they verified and those it dropped. Dropped entries are misses and are
 * loaded again.
 *
 * <pre>{@code
 * manager.salvage().ifPresent(s ->
 *         log.warn("kept {} cached entries, dropped {}", s.entriesKept(), s.entriesDropped()));
 * }</pre>
 *
 * @param action what the manager was configured to do ({@link AfterUnsafeShutdown})
 * @param caches the caches the pool held when it was opened, by name
 */
public record SalvageReport(AfterUnsafeShutdown action, Map<String, Counts> caches) {

    public SalvageReport {
        Objects.requireNonNull(action, "action");
        caches = Map.copyOf(caches);
    }

    /** Entries kept in all caches. */
    public long entriesKept() {
        return caches.values().stream().mapToLong(Counts::kept).sum();
    }

    /** Entries dropped from all caches. */
    public long entriesDropped() {
        return caches.values().stream().mapToLong(Counts::dropped).sum();
    }

    /**
     * One cache's share.
     *
     * @param kept entries that verified and were kept
     * @param dropped entries that did not verify, or all of them under {@link AfterUnsafeShutdown#START_COLD}
     */
    public record Counts(long kept, long dropped) {}
}
