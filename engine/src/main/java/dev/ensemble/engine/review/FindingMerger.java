package dev.ensemble.engine.review;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Merges findings about the same place into one. Two findings are about the same place when they
 * name the same file and their line ranges overlap or lie at most {@link #WINDOW} lines apart (two
 * models rarely point at the same line for one problem). A merged finding takes the highest
 * severity, spans both ranges, lists every model, and keeps the wording of its most severe source
 * (the first of those on a tie). Merging is transitive along a file: a run of close findings
 * becomes one.
 */
public final class FindingMerger {
    /** Lines apart that still count as the same place. */
    public static final int WINDOW = 3;

    private FindingMerger() {}

    /** The merged findings, most severe first, then by file and line. */
    public static List<Finding> merge(List<Finding> findings) {
        Map<String, List<Finding>> byFile = new LinkedHashMap<>();
        for (Finding f : findings) byFile.computeIfAbsent(f.file(), k -> new ArrayList<>()).add(f);
        List<Finding> merged = new ArrayList<>();
        for (List<Finding> inFile : byFile.values()) {
            List<Finding> sorted = new ArrayList<>(inFile);
            sorted.sort(Comparator.comparingInt(Finding::line).thenComparingInt(Finding::endLine));
            List<Finding> group = new ArrayList<>();
            int groupEnd = -1;
            for (Finding f : sorted) {
                if (!group.isEmpty() && !samePlace(groupEnd, f)) {
                    merged.add(combine(group, findings));
                    group = new ArrayList<>();
                }
                groupEnd = group.isEmpty() ? f.endLine() : Math.max(groupEnd, f.endLine());
                group.add(f);
            }
            if (!group.isEmpty()) merged.add(combine(group, findings));
        }
        merged.sort(Comparator.comparing(Finding::severity).reversed().thenComparing(Finding::file).thenComparingInt(Finding::line));
        return merged;
    }

    /** A finding on the whole file (line 0) joins only others on the whole file. */
    private static boolean samePlace(int groupEnd, Finding next) {
        if (groupEnd == 0 || next.line() == 0) return groupEnd == 0 && next.line() == 0;
        return next.line() - groupEnd <= WINDOW;
    }

    private static Finding combine(List<Finding> group, List<Finding> original) {
        if (group.size() == 1) return group.getFirst();
        // The lead is the most severe, the earliest reported among equals (the original order is the reviewers' order).
        Finding lead = group.stream().max(Comparator.comparing(Finding::severity)
                .thenComparing(f -> -original.indexOf(f))).orElseThrow();
        LinkedHashSet<String> models = new LinkedHashSet<>();
        group.stream().sorted(Comparator.comparingInt(original::indexOf)).forEach(f -> models.addAll(f.models()));
        int line = group.stream().mapToInt(Finding::line).min().orElse(lead.line());
        int end = group.stream().mapToInt(Finding::endLine).max().orElse(lead.endLine());
        String recommendation = lead.recommendation().isBlank()
                ? group.stream().map(Finding::recommendation).filter(r -> !r.isBlank()).findFirst().orElse("")
                : lead.recommendation();
        return new Finding(lead.severity(), lead.file(), line, end, lead.description(), recommendation, List.copyOf(models));
    }
}
