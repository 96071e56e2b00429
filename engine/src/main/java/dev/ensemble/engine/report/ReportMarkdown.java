package dev.ensemble.engine.report;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** A report for people: the summary first, then the tasks, the cost per model, and what failed and why. */
public final class ReportMarkdown {
    private ReportMarkdown() {}

    public static String render(RunReport r) {
        StringBuilder md = new StringBuilder();
        md.append("# ensemble run ").append(r.runId()).append("\n\n");
        md.append("> ").append(r.request().strip().replace("\n", "\n> ")).append("\n\n");
        md.append("## Summary\n\n");
        md.append("- Tasks: ").append(r.tasks().size()).append(" — ").append(r.passed()).append(" passed, ")
                .append(r.failed()).append(" failed");
        if (r.skipped() > 0) md.append(", ").append(r.skipped()).append(" skipped");
        md.append('\n');
        md.append("- Cost: ").append(usd(r.costUsd())).append(" (").append(r.calls()).append(" model calls, ")
                .append(r.inputTokens()).append(" input / ").append(r.outputTokens()).append(" output tokens)");
        if (!r.planning().isEmpty()) md.append(", of which planning ").append(usd(r.planningCostUsd()));
        md.append('\n');
        if (!r.planning().isEmpty()) {
            md.append("- Planned by: ").append(String.join(", ", r.planning().stream()
                    .map(m -> m.model() + " (" + m.calls() + (m.calls() == 1 ? " call" : " calls")
                            + (m.failures() > 0 ? ", " + m.failures() + " failed" : "") + ", " + usd(m.costUsd()) + ")").toList()))
                    .append('\n');
        }
        r.saving().ifPresentOrElse(
                s -> md.append("- Saving versus all-premium (").append(s.baselineModel()).append(", ").append(usd(s.baselineUsd()))
                        .append("): ").append(String.format(Locale.ROOT, "%.1f%%", s.percent())).append('\n'),
                () -> md.append("- Saving versus all-premium: no premium model in the catalog to compare with\n"));
        md.append("- Duration: ").append(duration(r.duration())).append('\n');
        md.append("- Started: ").append(r.startedAt()).append("\n\n");

        md.append("## Tasks\n\n");
        md.append("| Task | Title | Status | Agent | Model | Attempts | Files | Tokens (in/out) | Cost | Duration |\n");
        md.append("|---|---|---|---|---|---:|---|---:|---:|---:|\n");
        for (TaskLine t : r.tasks()) {
            md.append("| ").append(cell(t.id())).append(" | ").append(cell(t.title())).append(" | ")
                    .append(t.status().name().toLowerCase(Locale.ROOT)).append(" | ").append(cell(orDash(t.agent()))).append(" | ")
                    .append(cell(orDash(t.model()))).append(" | ").append(t.attempts()).append(" | ")
                    .append(cell(t.files().isEmpty() ? "-" : String.join(", ", t.files()))).append(" | ")
                    .append(t.inputTokens()).append(" / ").append(t.outputTokens()).append(" | ").append(usd(t.costUsd()))
                    .append(" | ").append(duration(t.duration())).append(" |\n");
        }
        md.append('\n');
        if (r.tasks().stream().anyMatch(t -> !t.transcripts().isEmpty())) {
            md.append("## Transcripts\n\n");
            for (TaskLine t : r.tasks()) {
                if (t.transcripts().isEmpty()) continue;
                md.append("- ").append(t.id()).append(": ")
                        .append(String.join(", ", t.transcripts().stream().map(f -> "`" + f + "`").toList())).append('\n');
            }
            md.append('\n');
        }

        md.append("## Cost per model\n\n");
        if (r.models().isEmpty()) {
            md.append("No model calls were recorded for this run.\n\n");
        } else {
            md.append("| Model | Calls | Failed calls | Input tokens | Output tokens | Cost |\n|---|---:|---:|---:|---:|---:|\n");
            for (ModelCost m : r.models()) {
                md.append("| ").append(cell(orDash(m.model()))).append(" | ").append(m.calls()).append(" | ").append(m.failures())
                        .append(" | ").append(m.inputTokens()).append(" | ").append(m.outputTokens()).append(" | ")
                        .append(usd(m.costUsd())).append(" |\n");
            }
            md.append("| **total** | ").append(r.calls()).append(" | | ").append(r.inputTokens()).append(" | ")
                    .append(r.outputTokens()).append(" | ").append(usd(r.costUsd())).append(" |\n\n");
        }

        md.append("## Failures\n\n");
        List<TaskLine> failures = r.failures();
        if (failures.isEmpty()) md.append("None: every task passed.\n");
        for (TaskLine t : failures) {
            md.append("### ").append(t.id()).append(" (").append(t.status().name().toLowerCase(Locale.ROOT)).append(")\n\n");
            String why = t.failureReason().isBlank() ? t.verdict() : t.failureReason();
            md.append("```\n").append(why.isBlank() ? "(no reason recorded)" : why.strip().replace("```", "'''")).append("\n```\n\n");
        }
        return md.toString();
    }

    static String usd(double usd) {
        return String.format(Locale.ROOT, "$%.4f", usd);
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) return ms + " ms";
        if (ms < 60_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    private static String orDash(String s) {
        return s.isBlank() ? "-" : s;
    }

    // A pipe or a newline would break the table row.
    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
