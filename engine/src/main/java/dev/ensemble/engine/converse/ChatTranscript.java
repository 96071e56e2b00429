package dev.ensemble.engine.converse;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.engine.io.AtomicFiles;
import dev.ensemble.llm.FailedAttempt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Everything a chat said and how it ended: the task, the settings, who played each side, every
 * turn, the outcome. Written as JSON to {@code .ensemble/sessions/<timestamp>-chat.json}.
 *
 * @param outcomeDetail one line on why the chat ended (the timed-out turn, the failure)
 */
public record ChatTranscript(String task, ChatSettings settings, ChatParticipant implementer, ChatParticipant reviewer,
                             List<ChatTurn> turns, ChatOutcome outcome, String outcomeDetail, Instant startedAt, Instant endedAt) {
    /** Where sessions go, relative to the repository root. */
    public static final String SESSIONS_FOLDER = ".ensemble/sessions";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ChatTranscript {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(implementer, "implementer");
        Objects.requireNonNull(reviewer, "reviewer");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        turns = List.copyOf(turns);
        outcomeDetail = outcomeDetail == null ? "" : outcomeDetail;
    }

    /** Rounds in which both sides answered. */
    public int roundsCompleted() {
        return (int) turns.stream().filter(t -> t.ok() && t.side() == ChatTurn.Side.REVIEWER).count();
    }

    public Usage totalUsage() {
        return turns.stream().map(ChatTurn::usage).reduce(Usage.ZERO, Usage::plus);
    }

    public double totalCostUsd() {
        return turns.stream().mapToDouble(ChatTurn::costUsd).sum();
    }

    /** The reviewer's last answer, or "" when it never answered. */
    public String lastReview() {
        return lastOf(ChatTurn.Side.REVIEWER);
    }

    /** The implementer's last answer: the work as it stands. */
    public String lastWork() {
        return lastOf(ChatTurn.Side.IMPLEMENTER);
    }

    private String lastOf(ChatTurn.Side side) {
        for (int i = turns.size() - 1; i >= 0; i--) {
            ChatTurn t = turns.get(i);
            if (t.ok() && t.side() == side) return t.content();
        }
        return "";
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", "chat");
        root.put("task", task);
        root.put("started_at", startedAt.toString());
        root.put("ended_at", endedAt.toString());
        root.putObject("settings").put("rounds", settings.rounds()).put("stop_token", settings.stopToken())
                .put("turn_timeout_ms", settings.turnTimeout().toMillis());
        participant(root.putObject("implementer"), implementer);
        participant(root.putObject("reviewer"), reviewer);
        root.put("outcome", outcome.key());
        root.put("outcome_detail", outcomeDetail);
        root.put("rounds_completed", roundsCompleted());
        ArrayNode list = root.putArray("turns");
        for (ChatTurn t : turns) turn(list.addObject(), t);
        Usage total = totalUsage();
        root.putObject("totals").put("turns", turns.size()).put("input_tokens", total.inputTokens())
                .put("output_tokens", total.outputTokens()).put("cached_input_tokens", total.cachedInputTokens())
                .put("cost_usd", totalCostUsd());
        return root;
    }

    /**
     * The JSON text, pretty-printed, ending with a newline: the transcript as written and printed, with a
     * key a model repeated masked, as everywhere ensemble writes.
     */
    public String toJsonText() {
        return Redactor.global().redact(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson())) + "\n";
    }

    /**
     * Writes the transcript under {@code repoRoot}'s {@value #SESSIONS_FOLDER}, named by its start
     * time (a second chat in the same second gets {@code -2}, {@code -3} ...), and returns the file.
     */
    public Path write(Path repoRoot) throws IOException {
        Path folder = repoRoot.resolve(SESSIONS_FOLDER);
        String stamp = STAMP.format(startedAt);
        Path file = folder.resolve(stamp + "-chat.json");
        for (int n = 2; Files.exists(file); n++) file = folder.resolve(stamp + "-" + n + "-chat.json");
        return AtomicFiles.write(file, toJsonText());
    }

    private static void participant(ObjectNode node, ChatParticipant p) {
        node.put("role", p.roleId()).put("name", p.roleName()).put("model", p.lead());
        ArrayNode chain = node.putArray("chain");
        p.chain().forEach(chain::add);
        node.put("reason", p.reason()).put("max_output_tokens", p.maxOutputTokens());
    }

    private static void turn(ObjectNode node, ChatTurn t) {
        node.put("index", t.index()).put("round", t.round()).put("side", t.side().key()).put("role", t.roleId()).put("name", t.roleName())
                .put("model", t.modelId()).put("status", t.status().key()).put("content", t.content())
                .put("input_tokens", t.usage().inputTokens()).put("output_tokens", t.usage().outputTokens())
                .put("cached_input_tokens", t.usage().cachedInputTokens()).put("tokens_estimated", t.usageEstimated())
                .put("cost_usd", t.costUsd()).put("started_at", t.startedAt().toString())
                .put("latency_ms", t.latency().toMillis()).put("time_to_first_token_ms", t.timeToFirstToken().toMillis())
                .put("error", t.error());
        ArrayNode failures = node.putArray("failures");
        for (FailedAttempt f : t.failures()) {
            failures.addObject().put("model", f.modelId()).put("attempt", f.attempt()).put("fallback_step", f.fallbackStep())
                    .put("kind", f.kind().name().toLowerCase(Locale.ROOT)).put("reason", f.reason());
        }
    }
}
