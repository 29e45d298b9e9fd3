package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.suite.report.Report;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report from a small results folder ({@code src/test/resources/report-fixture}: JMH JSON as
 * JMH 1.37 writes it, trimmed to a few entries with round scores, a PMDK CSV, a kill probe's output,
 * a rolling restart's JSON): every cell below is worked out by hand from the fixture.
 */
class ReportTest {

    private static String report() throws URISyntaxException {
        Path fixture = Path.of(Objects.requireNonNull(ReportTest.class.getResource("/report-fixture"))
                .toURI());
        return Report.of(fixture, ReportSections.all());
    }

    @Test
    void theHeaderSaysWhenWhichCommitAndWhichCommand() throws Exception {
        assertThat(report())
                .contains("- Commit: `0123456789abcdef0123456789abcdef01234567`\n")
                .contains(
                        "- Command: `java -jar pmem-bench/target/benchmarks.jar run allocator map cache coherence --profile quick`")
                .contains("- Pools in: /dev/shm (tmpfs)");
    }

    @Test
    void allocatorRowsAreRatiosAgainstTheirPmdkRows() throws Exception {
        assertThat(report())
                .contains("| alloc-free | process | 64 B | 1 | 57.7 ± 0.9 | 414.1 | 0.14 |")
                // JMH wrote the error as "NaN": no ± at all
                .contains("| alloc-into-free (published) | process | 64 B | 1 | 129.1 | 747.8 | 0.17 |")
                // a row of the declared matrix that is not in the results, on either side
                .contains("| alloc-free | sync | 64 B | 1 | missing | pending | — |")
                .contains("| alloc-free | process | 1 MiB | 2 | missing | pending | — |")
                // a PMDK row no row of ours names
                .contains("PMDK rows without a counterpart of ours in this run:")
                .contains("| open-time | sync | 200000 | 1 | 41,572,036 |");
    }

    @Test
    void mapCellsAreMediansOfTheRoundsAndNewKeyPutsArePerPut() throws Exception {
        String report = report();
        // means: rounds 324 and 300 against 337 and 401; the ratio is of the medians, 312 / 369
        assertThat(report)
                .contains(
                        "| mix 75 % reads | 100 B | 1 | 312 (300–324) | — | 369 (337–401) | — | — | — | 0.85 | — | — |");
        // single-shot batches of 20,000 puts: 7.08 ms and 12.52 ms per batch
        assertThat(report).contains("| put (new key) | 100 B | 1 | 354 | — | 626 | — | — | — | 0.57 | — | — |");
        // best iterations: the fastest of all rounds' forks
        assertThat(report)
                .contains("| mix 75 % reads | 100 B | 1 | 298 | — | 335 | — | — | — | 0.89 | — | — |")
                .contains("| put (new key) | 100 B | 1 | 350 | — | 600 | — | — | — | 0.58 | — | — |");
        assertThat(report)
                .contains("- pmem verdict: survives kill -9 (1/1 kills)\n")
                .contains("- mapdb verdict: does NOT survive kill -9 (0/1 kills)\n")
                .doesNotContain("kill 1:");
    }

    @Test
    void cacheTargetsAreOursOverThePeerFromMeansAndBestIterations() throws Exception {
        assertThat(report())
                .contains("| op | threads | pmem-fory | ehcache-disk | redis |")
                .contains("| get (hit) | 1 | 758.5 k ± 12.0 k | 31.0 k ± 1.0 k | 11.1 k |")
                .contains("| get (hit) | 1 | 550 B | — | — |")
                .contains(
                        "| hits, no heap tier vs Ehcache disk tier | pmem-fory / ehcache-disk | ≥ 10 | 24.47 (24.35) | — | partly |")
                .contains("| hits, no heap tier vs Redis | pmem-fory / redis | ≥ 50 | 68.33 (68.48) | — | partly |")
                // no heap-tier rows without a heap tier in the results
                .doesNotContain("heap tier vs Caffeine");
    }

    @Test
    void cacheRoundsGiveMediansAndEachTargetsRatioPerRound() throws Exception {
        Path fixture = Path.of(Objects.requireNonNull(ReportTest.class.getResource("/report-fixture-rounds"))
                .toURI());
        // three rounds of hits: ours 2.0 M, 2.15 M and 1.6 M, Caffeine 5.0 M in each
        assertThat(Report.of(fixture, ReportSections.all()))
                .contains("Each cell is the median of 3 rounds' fork means")
                .contains("| get (hit) | 1 | 2.00 M | 5.00 M |")
                // the best iteration of all rounds: 2.25 M and 5.2 M
                .contains("| get (hit) | 1 | 2.25 M | 5.20 M |")
                // ratios within each round 0.40, 0.43 and 0.32: their median, and their range
                .contains(
                        "| hits, no heap tier, Fory vs Caffeine | pmem-fory / caffeine | ≥ 0.4 | 0.40 [0.32-0.43, 3 rounds] | — | partly |")
                // hits whose value is read: ours 2.0 M, Caffeine 4.0, 5.0 and 4.0 M; a ratio with no target
                .contains("| get (hit), value read | 1 | 2.00 M | 4.00 M |")
                .contains("| hits with the value read, no heap tier, Fory vs Caffeine | pmem-fory / caffeine | none"
                        + " | 0.50 [0.40-0.50, 3 rounds] | — | — |");
    }

    @Test
    void coherenceLagCountsTheSampledHistogramAndTheRollingRestartComesFromItsJson() throws Exception {
        assertThat(report())
                .contains("| 1,000 | 313 | 1,087 | 5,442 | 11,298 | 31,883 |")
                .contains(
                        "Rolling restart of 3 instances, 10,000 entries, 1 % of the keys changed while each was down:")
                .contains("| pmem | 0 | 1,000 | 6 | 6 | 94 | 94 | 0 | 717 |")
                .contains("| redisson | 0 | 46,927 | 6,652 | 72 | 28 | 3,348 | 0 | 2,008 |");
    }

    @Test
    void suitesWithoutAFolderAreLeftOut() throws Exception {
        assertThat(report())
                .contains("## Allocator against PMDK", "## Coherence over Redis")
                .doesNotContain("## Transactions against PMDK", "## Recovery after a crash");
    }

    @Test
    void theRunInfoTheRunnerWritesIsTheHeaderTheReportReads(@TempDir Path dir) {
        RunInfo info = RunInfo.start(dir, null, "java -jar benchmarks.jar run map", Profile.QUICK, 1, "", dir);
        info.finish();

        assertThat(Report.of(dir, ReportSections.all()))
                .contains("- Commit: `n/a`\n")
                .contains("- Command: `java -jar benchmarks.jar run map`")
                .doesNotContain("(not finished)");
    }
}
