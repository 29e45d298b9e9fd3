package dev.pmemspring.bench.suite.report;

import java.util.ArrayList;
import java.util.List;

/** A markdown table: columns added left to right, each left- or right-aligned, then rows. */
public final class MarkdownTable {

    private final List<String> headers = new ArrayList<>();
    private final List<Boolean> rightAligned = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    public MarkdownTable left(String... names) {
        for (String name : names) {
            headers.add(name);
            rightAligned.add(false);
        }
        return this;
    }

    public MarkdownTable right(String... names) {
        for (String name : names) {
            headers.add(name);
            rightAligned.add(true);
        }
        return this;
    }

    public MarkdownTable row(List<String> cells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + headers.size() + " columns: " + cells);
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public MarkdownTable row(String... cells) {
        return row(List.of(cells));
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Appends the table, one line per row, and a blank line after it. */
    public void appendTo(StringBuilder out) {
        out.append("| ").append(String.join(" | ", headers)).append(" |\n");
        out.append("|");
        for (boolean right : rightAligned) {
            out.append(right ? " ---: |" : " --- |");
        }
        out.append('\n');
        for (List<String> row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        out.append('\n');
    }
}
