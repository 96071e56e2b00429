package dev.ensemble.engine.pipeline;

import dev.ensemble.llm.FailedAttempt;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The result document of a run, as Markdown: the synthesis first (what the user came for), then
 * every step's output as it was given, so the reasoning behind the result stays on record. A run
 * that stopped says where and why, and keeps what was done.
 */
public final class PipelineDocument {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private PipelineDocument() {
    }

    public static String render(PipelineResult run) {
        PipelineDefinition pipeline = run.pipeline();
        StringBuilder out = new StringBuilder();
        out.append("# Pipeline ").append(pipeline.name()).append(": ").append(firstLine(run.input())).append("\n\n");
        out.append("- Request: ").append(run.input().strip().replace("\n", "\n  ")).append('\n');
        out.append("- Pipeline: ").append(pipeline.name());
        if (!pipeline.description().isEmpty()) out.append(" — ").append(pipeline.description());
        out.append(" (").append(pipeline.source()).append(")\n");
        out.append("- Steps: ").append(pipeline.outline()).append('\n');
        out.append("- Started: ").append(WHEN.format(run.startedAt())).append('\n');
        out.append("- Total: ").append(run.usage().inputTokens()).append(" tokens in, ").append(run.usage().outputTokens())
                .append(" out, ").append(usd(run.costUsd())).append('\n');
        out.append("- Outcome: ").append(run.succeeded() ? "done" : run.failure().map(PipelineDocument::stoppedAt).orElse("stopped"))
                .append("\n\n");

        out.append("## Result\n\n");
        if (run.succeeded()) {
            out.append(run.result().strip()).append("\n\n");
        } else {
            out.append("No result: ").append(run.failure().map(PipelineDocument::stoppedAt).orElse("the pipeline stopped"))
                    .append(". The steps that ran are below.\n\n");
        }
        out.append("## Steps\n\n");
        for (StepResult step : run.all()) {
            out.append("### ").append(step.synthesis() ? "Synthesis" : step.number() + ". " + step.step().name())
                    .append(" · ").append(step.step().role()).append(" (").append(step.roleName()).append(')');
            if (!step.model().isEmpty()) out.append(" · ").append(step.model());
            out.append("\n\n");
            for (FailedAttempt f : step.failures()) out.append("> ").append(f).append('\n');
            if (!step.failures().isEmpty()) out.append('\n');
            if (step.succeeded()) {
                out.append(step.synthesis() ? "(the result above)" : step.output().strip()).append("\n\n");
            } else {
                out.append("**Failed:** ").append(step.error()).append("\n\n");
            }
        }
        return out.toString().stripTrailing() + "\n";
    }

    private static String stoppedAt(StepResult step) {
        return "stopped at " + (step.synthesis() ? "the synthesis" : "step " + step.number() + " (" + step.step().name() + ")")
                + ": " + step.error();
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    private static String usd(double usd) {
        return String.format(Locale.ROOT, usd < 0.01 && usd > 0 ? "$%.4f" : "$%.2f", usd);
    }
}
