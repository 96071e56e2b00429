package dev.ensemble.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with columns sized to their content; numbers are right-aligned by the caller's choice. */
final class Table {
    private final List<String> headers;
    private final boolean[] rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
        this.rightAligned = new boolean[headers.length];
    }

    Table alignRight(int... columns) {
        for (int c : columns) rightAligned[c] = true;
        return this;
    }

    Table row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object cell : cells) row.add(cell == null ? "" : cell.toString());
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    String render() {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) widths[c] = headers.get(c).length();
        for (List<String> row : rows) {
            for (int c = 0; c < widths.length && c < row.size(); c++) widths[c] = Math.max(widths[c], visible(row.get(c)));
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, widths);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < widths.length; c++) rule.append(c == 0 ? "" : "  ").append("-".repeat(widths[c]));
        out.append(rule).append('\n');
        for (List<String> row : rows) line(out, row, widths);
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < widths.length; c++) {
            String cell = c < cells.size() ? cells.get(c) : "";
            String pad = " ".repeat(Math.max(0, widths[c] - visible(cell)));
            line.append(c == 0 ? "" : "  ").append(rightAligned[c] ? pad + cell : cell + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    /** Length without ANSI colour codes, so coloured cells line up. */
    private static int visible(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "").length();
    }
}
