package dev.pmemspring.bench.suite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code --only NAME=V1,V2}: narrows a suite to part of its declared matrix, for a rerun of some
 * cells. For each named parameter, a run keeps only the declared values that are listed (in the
 * declared order) and is skipped when none is left; the name {@value #METHOD} does the same with
 * the benchmark methods. Runs that do not have the parameter are not affected. Nothing can be added
 * that the suite does not declare.
 */
public final class ParamFilter {

    /** The pseudo-parameter that filters benchmark methods. */
    public static final String METHOD = "method";

    private final Map<String, Set<String>> kept;
    private final Set<String> used = new LinkedHashSet<>();

    private ParamFilter(Map<String, Set<String>> kept) {
        this.kept = kept;
    }

    /** No filter. */
    public static ParamFilter none() {
        return new ParamFilter(Map.of());
    }

    /** From {@code name -> "v1,v2"}, as picocli parses repeated {@code --only name=v1,v2}. */
    public static ParamFilter of(Map<String, String> only) {
        Map<String, Set<String>> kept = new LinkedHashMap<>();
        if (only != null) {
            only.forEach((name, values) -> kept.put(name.trim(), new LinkedHashSet<>(split(values))));
        }
        return new ParamFilter(kept);
    }

    /** The run narrowed to the kept values, or empty when a filtered parameter or the methods have none left. */
    public Optional<JmhRun> apply(JmhRun run) {
        List<String> methods = narrow(METHOD, run.methods());
        if (methods.isEmpty()) {
            return Optional.empty();
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> param : run.params().entrySet()) {
            List<String> values = narrow(param.getKey(), param.getValue());
            if (values.isEmpty()) {
                return Optional.empty();
            }
            params.put(param.getKey(), values);
        }
        return Optional.of(run.withMethods(methods).withParams(params));
    }

    /** Whether a program run's parameters are all kept. */
    public boolean keeps(ProgramRun run) {
        return run.params().entrySet().stream()
                .allMatch(p -> !narrow(p.getKey(), List.of(p.getValue())).isEmpty());
    }

    /** The names given that matched no parameter of anything applied so far (probably a typo). */
    public Set<String> unused() {
        Set<String> unused = new LinkedHashSet<>(kept.keySet());
        unused.removeAll(used);
        return unused;
    }

    public boolean isEmpty() {
        return kept.isEmpty();
    }

    @Override
    public String toString() {
        List<String> words = new ArrayList<>();
        kept.forEach((name, values) -> words.add(name + "=" + String.join(",", values)));
        return String.join(" ", words);
    }

    private List<String> narrow(String name, List<String> declared) {
        Set<String> values = kept.get(name);
        if (values == null) {
            return declared;
        }
        used.add(name);
        return declared.stream().filter(values::contains).toList();
    }

    private static List<String> split(String values) {
        List<String> out = new ArrayList<>();
        for (String v : values.split(",")) {
            if (!v.isBlank()) {
                out.add(v.trim());
            }
        }
        return out;
    }
}
