package dev.pmemspring.core;

import java.util.List;

/**
 * What {@link PmemPool#check()} found, as PMDK's {@code pmempool check} reports it.
 *
 * @param problems one line per problem, each naming its pool offset
 * @param blocks allocated blocks seen in the heap
 * @param maps maps in the catalogue
 * @param entries map entries seen
 */
public record CheckReport(List<String> problems, long blocks, int maps, long entries) {

    public CheckReport {
        problems = List.copyOf(problems);
    }

    public boolean clean() {
        return problems.isEmpty();
    }
}
