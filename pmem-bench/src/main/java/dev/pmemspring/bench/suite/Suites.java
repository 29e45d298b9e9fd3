package dev.pmemspring.bench.suite;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Every suite, in the order {@code all} runs them and the report lists them. */
public final class Suites {

    private static final List<Suite> ALL = List.of(
            new AllocatorSuite(),
            new TransactionSuite(),
            new OpenSuite(),
            new RecoverySuite(),
            new MapSuite(),
            new CacheSuite(),
            new CoherenceSuite());

    private Suites() {}

    public static List<Suite> all() {
        return ALL;
    }

    /** The suites named (or all of them for {@code all}), in the order of {@link #all()}. */
    public static List<Suite> select(List<String> names) {
        Set<String> wanted = new LinkedHashSet<>(names);
        if (wanted.remove("all")) {
            ALL.forEach(s -> wanted.add(s.name()));
        }
        List<Suite> selected = new ArrayList<>();
        for (Suite suite : ALL) {
            if (wanted.remove(suite.name())) {
                selected.add(suite);
            }
        }
        if (!wanted.isEmpty()) {
            throw new IllegalArgumentException("unknown suite(s) " + wanted + "; the suites are "
                    + ALL.stream().map(Suite::name).toList() + " and all");
        }
        return selected;
    }
}
