package dev.ensemble.engine.review;

import dev.ensemble.llm.TokenEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code @@} block of a unified diff: its header line and the lines under it (each with its
 * leading ' ', '+', '-' or '\').
 */
public record Hunk(String header, int oldStart, int newStart, List<String> lines) {
    private static final Pattern HEADER = Pattern.compile("^@@ -(\\d+)(?:,\\d+)? \\+(\\d+)(?:,\\d+)? @@.*$");
    /** What a rebuilt header costs, with room to spare. */
    private static final int HEADER_TOKENS = 24;

    public Hunk {
        lines = List.copyOf(lines);
    }

    /** Reads the starts from an {@code @@ -a,b +c,d @@} line; a header that does not parse keeps 0s (still shown as is). */
    static Hunk of(String header, List<String> lines) {
        Matcher m = HEADER.matcher(header);
        if (!m.matches()) return new Hunk(header, 0, 0, lines);
        return new Hunk(header, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), lines);
    }

    public String text() {
        StringBuilder text = new StringBuilder(header).append('\n');
        for (String line : lines) text.append(line).append('\n');
        return text.toString();
    }

    /**
     * This hunk as parts of at most {@code budget} tokens each, cut between lines, each with a
     * header recomputed for its lines so that line numbers stay right. A single line longer than the
     * budget is shortened (marked as such): a minified file is not worth a context window.
     */
    List<Hunk> splitToFit(int budget) {
        if (TokenEstimator.count(text()) <= budget) return List.of(this);
        int lineBudget = Math.max(1, budget - HEADER_TOKENS);
        List<Hunk> parts = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int used = 0;
        int oldLine = oldStart;
        int newLine = newStart;
        int partOld = oldLine;
        int partNew = newLine;
        for (String raw : lines) {
            String line = shorten(raw, lineBudget);
            int cost = TokenEstimator.count(line) + 1;
            if (!current.isEmpty() && used + cost > lineBudget) {
                parts.add(part(partOld, oldLine - partOld, partNew, newLine - partNew, current, parts.size() + 1));
                current = new ArrayList<>();
                used = 0;
                partOld = oldLine;
                partNew = newLine;
            }
            current.add(line);
            used += cost;
            char kind = line.isEmpty() ? ' ' : line.charAt(0);
            if (kind == ' ' || kind == '-') oldLine++;
            if (kind == ' ' || kind == '+') newLine++;
        }
        if (!current.isEmpty()) parts.add(part(partOld, oldLine - partOld, partNew, newLine - partNew, current, parts.size() + 1));
        return parts;
    }

    private static Hunk part(int oldStart, int oldCount, int newStart, int newCount, List<String> lines, int number) {
        String header = "@@ -" + oldStart + "," + oldCount + " +" + newStart + "," + newCount + " @@ (part " + number + " of a longer hunk)";
        return new Hunk(header, oldStart, newStart, lines);
    }

    private static String shorten(String line, int budget) {
        if (TokenEstimator.count(line) < budget) return line;
        String marker = " …[line shortened for review]";
        String cut = line;
        while (cut.length() > 1 && TokenEstimator.count(cut + marker) >= budget) cut = cut.substring(0, cut.length() / 2);
        return cut + marker;
    }
}
