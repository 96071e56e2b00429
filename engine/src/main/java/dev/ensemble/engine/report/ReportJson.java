package dev.ensemble.engine.report;

import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanJson;
import dev.ensemble.core.plan.PlanParser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A report as JSON and back. The plan is written in the planner's own schema (snake_case keys), so
 * {@link PlanParser} reads it back and a report's plan can be run again with {@code go --plan}.
 */
public final class ReportJson {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private ReportJson() {}

    public static String write(RunReport report) {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(report)) + "\n";
    }

    public static ObjectNode toJson(RunReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("run_id", r.runId()).put("started_at", r.startedAt().toString()).put("duration_ms", r.duration().toMillis())
                .put("request", r.request());
        ObjectNode summary = root.putObject("summary");
        summary.put("tasks", r.tasks().size()).put("passed", r.passed()).put("failed", r.failed()).put("skipped", r.skipped())
                .put("calls", r.calls()).put("input_tokens", r.inputTokens()).put("output_tokens", r.outputTokens())
                .put("cached_input_tokens", r.cachedInputTokens()).put("cost_usd", r.costUsd())
                .put("planning_cost_usd", r.planningCostUsd());
        r.saving().ifPresent(s -> root.putObject("saving").put("baseline_model", s.baselineModel()).put("actual_usd", s.actualUsd())
                .put("baseline_usd", s.baselineUsd()).put("percent", s.percent()));
        root.set("plan", plan(r.plan()));
        ArrayNode tasks = root.putArray("tasks");
        for (TaskLine t : r.tasks()) {
            ObjectNode n = tasks.addObject();
            n.put("id", t.id()).put("title", t.title()).put("status", t.status().name().toLowerCase()).put("agent", t.agent())
                    .put("model", t.model()).put("attempts", t.attempts()).put("verdict", t.verdict());
            ArrayNode files = n.putArray("files");
            t.files().forEach(files::add);
            n.put("input_tokens", t.inputTokens()).put("output_tokens", t.outputTokens()).put("cost_usd", t.costUsd())
                    .put("duration_ms", t.duration().toMillis()).put("failure_reason", t.failureReason());
            ArrayNode transcripts = n.putArray("transcripts");
            t.transcripts().forEach(transcripts::add);
        }
        costs(root.putArray("models"), r.models());
        costs(root.putArray("planning"), r.planning());
        return root;
    }

    private static void costs(ArrayNode array, List<ModelCost> costs) {
        for (ModelCost m : costs) {
            array.addObject().put("model", m.model()).put("calls", m.calls()).put("failures", m.failures())
                    .put("input_tokens", m.inputTokens()).put("output_tokens", m.outputTokens())
                    .put("cached_input_tokens", m.cachedInputTokens()).put("cost_usd", m.costUsd());
        }
    }

    private static List<ModelCost> costs(JsonNode array) {
        List<ModelCost> costs = new ArrayList<>();
        for (JsonNode m : array) {
            costs.add(new ModelCost(m.path("model").asString(""), m.path("calls").asLong(0), m.path("failures").asLong(0),
                    m.path("input_tokens").asLong(0), m.path("output_tokens").asLong(0), m.path("cached_input_tokens").asLong(0),
                    m.path("cost_usd").asDouble(0)));
        }
        return costs;
    }

    static ObjectNode plan(Plan plan) {
        ObjectNode root = PlanJson.toTree(plan);
        root.remove("request");  // the report keeps the request once, at its top
        return root;
    }

    /** @throws tools.jackson.core.JacksonException or IllegalArgumentException when the text is no report */
    public static RunReport read(String text) {
        JsonNode root = JSON.readTree(text);
        if (!root.isObject() || !root.path("run_id").isString()) throw new IllegalArgumentException("not a run report: no run_id");
        String request = root.path("request").asString("");
        Plan plan = PlanParser.parse(request, JSON.writeValueAsString(root.path("plan")));
        List<TaskLine> tasks = new ArrayList<>();
        for (JsonNode t : root.path("tasks")) {
            List<String> files = new ArrayList<>();
            t.path("files").forEach(f -> files.add(f.asString()));
            List<String> transcripts = new ArrayList<>();
            t.path("transcripts").forEach(f -> transcripts.add(f.asString()));
            tasks.add(new TaskLine(t.path("id").asString(), t.path("title").asString(""),
                    TaskLine.Status.valueOf(t.path("status").asString("failed").toUpperCase()), t.path("agent").asString(""),
                    t.path("model").asString(""), t.path("attempts").asInt(0), t.path("verdict").asString(""), files,
                    t.path("input_tokens").asLong(0), t.path("output_tokens").asLong(0), t.path("cost_usd").asDouble(0),
                    Duration.ofMillis(t.path("duration_ms").asLong(0)), t.path("failure_reason").asString(""), transcripts));
        }
        List<ModelCost> models = costs(root.path("models"));
        JsonNode s = root.path("summary");
        JsonNode sv = root.path("saving");
        Optional<Saving> saving = sv.isObject()
                ? Optional.of(new Saving(sv.path("baseline_model").asString(""), sv.path("actual_usd").asDouble(0),
                        sv.path("baseline_usd").asDouble(0), sv.path("percent").asDouble(0)))
                : Optional.empty();
        return new RunReport(root.path("run_id").asString(), Instant.parse(root.path("started_at").asString()),
                Duration.ofMillis(root.path("duration_ms").asLong(0)), request, plan, tasks, models, s.path("calls").asLong(0),
                s.path("input_tokens").asLong(0), s.path("output_tokens").asLong(0), s.path("cached_input_tokens").asLong(0),
                s.path("cost_usd").asDouble(0), saving, costs(root.path("planning")));
    }
}
