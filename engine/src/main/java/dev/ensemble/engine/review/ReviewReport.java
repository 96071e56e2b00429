package dev.ensemble.engine.review;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The result of a review: merged findings, most severe first, how each reviewer fared, and notes
 * (findings dropped and why).
 *
 * @param source what was reviewed ("changes since HEAD")
 * @param files  the files of the diff
 * @param parts  the most parts any reviewer's diff was cut into
 */
public record ReviewReport(String source, List<String> files, int parts, List<Finding> findings,
                           List<ReviewerOutcome> reviewers, List<String> notes) {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ReviewReport {
        files = List.copyOf(files);
        findings = findings.stream().sorted(Comparator.comparing(Finding::severity).reversed()
                .thenComparing(Finding::file).thenComparingInt(Finding::line)).toList();
        reviewers = List.copyOf(reviewers);
        notes = List.copyOf(notes);
    }

    /** The most severe finding's severity; empty when there is none. */
    public Optional<Severity> worst() {
        return findings.stream().map(Finding::severity).max(Comparator.naturalOrder());
    }

    /** True when no reviewer reviewed anything: then "no findings" means nothing. */
    public boolean allFailed() {
        return reviewers.stream().allMatch(ReviewerOutcome::failed);
    }

    public Map<Severity, Long> counts() {
        Map<Severity, Long> counts = new EnumMap<>(Severity.class);
        for (Finding f : findings) counts.merge(f.severity(), 1L, Long::sum);
        return counts;
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Code review: ").append(summary()).append("\n\n");
        md.append("Reviewed ").append(source).append(" (").append(files.size()).append(files.size() == 1 ? " file" : " files");
        if (parts > 1) md.append(", in up to ").append(parts).append(" parts");
        md.append(") with ").append(String.join(", ", reviewers.stream().map(ReviewReport::describe).toList())).append(".\n");
        List<Severity> order = new ArrayList<>(List.of(Severity.values()));
        java.util.Collections.reverse(order);
        for (Severity severity : order) {
            List<Finding> these = findings.stream().filter(f -> f.severity() == severity).toList();
            if (these.isEmpty()) continue;
            md.append("\n## ").append(severity).append(" (").append(these.size()).append(")\n\n");
            for (Finding f : these) {
                md.append("- **").append(f.location()).append("**: ").append(f.description()).append('\n');
                if (!f.recommendation().isBlank()) md.append("  - Recommendation: ").append(f.recommendation()).append('\n');
                md.append("  - Raised by: ").append(String.join(", ", f.models())).append('\n');
            }
        }
        List<String> failures = new ArrayList<>();
        for (ReviewerOutcome r : reviewers) for (String failure : r.failures()) failures.add(r.reviewer() + ": " + failure);
        if (!failures.isEmpty()) {
            md.append("\n## Reviewer failures\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        if (!notes.isEmpty()) {
            md.append("\n## Dropped findings\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    /** "2 findings (1 HIGH, 1 LOW)", "no findings", "no review: every reviewer failed". */
    public String summary() {
        if (allFailed()) return "no review: every reviewer failed";
        if (findings.isEmpty()) return "no findings";
        List<String> parts = new ArrayList<>();
        Map<Severity, Long> counts = counts();
        for (int i = Severity.values().length - 1; i >= 0; i--) {
            Severity s = Severity.values()[i];
            if (counts.containsKey(s)) parts.add(counts.get(s) + " " + s);
        }
        return findings.size() + (findings.size() == 1 ? " finding" : " findings") + " (" + String.join(", ", parts) + ")";
    }

    public ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("source", source);
        ArrayNode fileArray = root.putArray("files");
        files.forEach(fileArray::add);
        root.put("parts", parts);
        if (worst().isPresent()) root.put("worst", worst().get().name());
        else root.putNull("worst");
        root.put("reviewed", !allFailed());
        ArrayNode list = root.putArray("findings");
        for (Finding f : findings) {
            ObjectNode node = list.addObject();
            node.put("severity", f.severity().name());
            node.put("file", f.file());
            node.put("line", f.line());
            node.put("end_line", f.endLine());
            node.put("description", f.description());
            node.put("recommendation", f.recommendation());
            ArrayNode models = node.putArray("models");
            f.models().forEach(models::add);
        }
        ArrayNode reviewerArray = root.putArray("reviewers");
        for (ReviewerOutcome r : reviewers) {
            ObjectNode node = reviewerArray.addObject();
            node.put("model", r.reviewer());
            ArrayNode by = node.putArray("answered_by");
            r.answeredBy().forEach(by::add);
            node.put("parts", r.parts());
            node.put("reviewed", r.reviewed());
            ArrayNode failures = node.putArray("failures");
            r.failures().forEach(failures::add);
        }
        ArrayNode noteArray = root.putArray("dropped");
        notes.forEach(noteArray::add);
        return root;
    }

    public String jsonText() {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json());
    }

    private static String describe(ReviewerOutcome r) {
        String via = r.answeredBy().isEmpty() || r.answeredBy().equals(List.of(r.reviewer()))
                ? "" : " (answered by " + String.join(", ", r.answeredBy()) + ")";
        if (r.failed()) return r.reviewer() + " (failed)";
        if (r.reviewed() < r.parts()) return r.reviewer() + via + " (" + r.reviewed() + " of " + r.parts() + " parts)";
        return r.reviewer() + via;
    }
}
