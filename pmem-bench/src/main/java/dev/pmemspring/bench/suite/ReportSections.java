package dev.pmemspring.bench.suite;

import dev.pmemspring.bench.suite.report.Report;

import java.util.List;

/** The report's sections: one per suite, in the order of {@link Suites#all()}. */
final class ReportSections {

    private ReportSections() {}

    static List<Report.Section> all() {
        return Suites.all().stream()
                .map(s -> new Report.Section(s.name(), s.title(), s::report))
                .toList();
    }
}
