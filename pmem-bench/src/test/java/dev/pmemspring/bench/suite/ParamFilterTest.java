package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.MapBenchmark;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --only}: it narrows what a suite declares, never widens it, and skips what it empties. */
class ParamFilterTest {

    private static final JmhRun MAP = JmhRun.of("map-t1.json", MapBenchmark.class, "getHit", "mix")
            .withParam("impl", "pmem", "chm", "chronicle")
            .withParam("valueSize", "100", "1024")
            .with(Iterations.timed(1, 1, "1s", 2, "1s"));

    @Test
    void keepsTheListedValuesInTheDeclaredOrder() {
        ParamFilter only = ParamFilter.of(Map.of("impl", "chronicle,pmem,mapdb"));

        assertThat(only.apply(MAP)).get().satisfies(run -> {
            assertThat(run.params().get("impl")).containsExactly("pmem", "chronicle");
            assertThat(run.params().get("valueSize")).containsExactly("100", "1024");
            assertThat(run.methods()).containsExactly("getHit", "mix");
        });
        assertThat(only.unused()).isEmpty();
    }

    @Test
    void filtersMethodsAndSkipsARunLeftWithNothing() {
        assertThat(ParamFilter.of(Map.of("method", "mix")).apply(MAP))
                .get()
                .satisfies(run -> assertThat(run.includePattern()).endsWith("\\.(\\Qmix\\E)$"));
        assertThat(ParamFilter.of(Map.of("impl", "mapdb")).apply(MAP)).isEmpty();
        assertThat(ParamFilter.of(Map.of("method", "putNew")).apply(MAP)).isEmpty();
    }

    @Test
    void aNameNoRunHasIsReportedAsUnused() {
        ParamFilter only = ParamFilter.of(Map.of("stores", "pmem"));

        assertThat(only.apply(MAP)).isEqualTo(Optional.of(MAP));
        assertThat(only.unused()).containsExactly("stores");
    }

    @Test
    void filtersProgramRunsByTheirParameters() {
        ProgramRun probe = new ProgramRun(
                MapBenchmark.class, List.of(), List.of("pmem"), "out", "err", false, Map.of("impl", "pmem"));

        assertThat(ParamFilter.of(Map.of("impl", "pmem,chronicle")).keeps(probe))
                .isTrue();
        assertThat(ParamFilter.of(Map.of("impl", "chronicle")).keeps(probe)).isFalse();
        assertThat(ParamFilter.none().keeps(probe)).isTrue();
    }

    @Test
    void theCommandLineParsesRepeatedOnlyOptions() {
        CommandLine cli = BenchCommand.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs(
                "run",
                "map",
                "--profile",
                "QUICK",
                "--only",
                "impl=pmem,chronicle",
                "--only",
                "method=mix",
                "--rounds",
                "3");
        RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();

        assertThat(run.suites).containsExactly("map");
        assertThat(run.profile).isEqualTo(Profile.QUICK);
        assertThat(run.rounds).isEqualTo(3);
        assertThat(run.only).containsEntry("impl", "pmem,chronicle").containsEntry("method", "mix");
    }
}
