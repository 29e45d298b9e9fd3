package dev.pmemspring.core;

import java.util.List;

/**
 * What {@link PmemPool#check()} found, as PMDK's {@code pmempool check} reports it.
 *
 * <p>A check may run while other threads write. Its findings about headers and maps are certain
 * (each map stripe is walked under its lock); a finding about the allocator or the logs may be an
 * operation caught half-way, so it is reported in {@code problems} only if two more walks see it
 * too, and in {@code unconfirmed} if it went away.
 *
 * @param problems one line per problem, each naming its pool offset
 * @param blocks allocated blocks seen in the heap
 * @param maps maps in the catalogue
 * @param entries map entries seen
 * @param unconfirmed allocator findings of the first walk that a later walk did not see again:
 *        operations in flight while the check ran, not damage
 */
public record CheckReport(List<String> problems, long blocks, int maps, long entries, List<String> unconfirmed) {

    public CheckReport {
        problems = List.copyOf(problems);
        unconfirmed = List.copyOf(unconfirmed);
    }

    /** A report of a walk with nothing left unconfirmed. */
    public CheckReport(List<String> problems, long blocks, int maps, long entries) {
        this(problems, blocks, maps, entries, List.of());
    }

    public boolean clean() {
        return problems.isEmpty();
    }
}
