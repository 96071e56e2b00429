package dev.ensemble.engine.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.engine.store.UtcText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Files, names, append-only continuation after a crash, and redaction of every line. */
class SessionTranscriptsTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String KEY = "sk-planted-7f3a9c1e5b";
    static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123456Z");

    @TempDir Path repo;
    final Redactor redactor = new Redactor();
    final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);

    SessionTranscripts transcripts() {
        return new SessionTranscripts(repo, redactor, clock);
    }

    static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) out.add(JSON.readTree(line));
        return out;
    }

    static List<String> kinds(Path file) throws Exception {
        return lines(file).stream().map(l -> l.path("kind").asString()).toList();
    }

    @Test
    void everyEventOfAnAttemptIsALineWithTimeKindRoleModelAgentAndContent() throws Exception {
        SessionTranscripts transcripts = transcripts();
        List<AgentEvent> live = new ArrayList<>();
        AttemptTranscript attempt = transcripts.attempt("run-1", "impl", 2, 1, "implementer", "claude", "opus", live::add);
        attempt.started("write greet()");
        Instant at = Instant.parse("2026-11-21T10:16:00Z");
        List<AgentEvent> events = List.of(new AgentEvent.Message(at, "I will write it"),
                new AgentEvent.ToolUse(at, "write_file", "{\"path\":\"src/greet.py\"}"),
                new AgentEvent.CommandRun(at, "pytest", 1, "1 failed"),
                new AgentEvent.Error(at, "rate limited, retrying"),
                new AgentEvent.Raw(at, "??? unparsed"));
        events.forEach(attempt::onEvent);
        AgentEvent onlyInResult = new AgentEvent.Message(at, "said only in the result");
        List<AgentEvent> all = new ArrayList<>(events);
        all.add(onlyInResult);
        attempt.finished(new AgentResult(AgentResult.Status.SUCCEEDED, "done", List.of("src/greet.py"), new Usage(900, 80, 100), 0.02,
                java.util.OptionalDouble.of(0.03), Optional.of("sess-42"), 0, Duration.ofSeconds(3), "", all));

        Path file = repo.resolve(".ensemble/sessions/run-1/impl-a2-f1.jsonl");
        assertThat(attempt.writer().file()).isEqualTo(file);
        assertThat(live).isEqualTo(events);  // passed on to the live view
        assertThat(kinds(file)).containsExactly("prompt", "message", "tool_use", "command", "error", "raw", "message", "result");
        List<JsonNode> lines = lines(file);
        JsonNode first = lines.getFirst();
        assertThat(first.path("at").asString()).isEqualTo(UtcText.format(T0)).isEqualTo("2026-11-21T10:15:30.123Z");
        assertThat(first.path("role").asString()).isEqualTo("implementer");
        assertThat(first.path("model").asString()).isEqualTo("opus");
        assertThat(first.path("agent").asString()).isEqualTo("claude");
        assertThat(first.path("content").asString()).isEqualTo("write greet()");
        assertThat(lines.get(1).path("at").asString()).isEqualTo("2026-11-21T10:16:00.000Z");
        assertThat(lines.get(2).path("data").path("tool").asString()).isEqualTo("write_file");
        assertThat(lines.get(2).path("content").asString()).isEqualTo("{\"path\":\"src/greet.py\"}");
        assertThat(lines.get(3).path("data").path("exit_code").asInt()).isEqualTo(1);
        assertThat(lines.get(6).path("data").path("reported_late").asBoolean()).isTrue();
        JsonNode result = lines.get(7);
        assertThat(result.path("data").path("session_id").asString()).isEqualTo("sess-42");
        assertThat(result.path("data").path("usage").path("input_tokens").asLong()).isEqualTo(900);
        assertThat(result.path("data").path("status").asString()).isEqualTo("succeeded");
    }

    @Test
    void aResumedAttemptAppendsToTheInterruptedTrysFileAndNeverTruncatesIt() throws Exception {
        AttemptTranscript interrupted = transcripts().attempt("run-1", "impl", 1, 0, "implementer", "builtin", "m", AgentListener.NONE);
        interrupted.started("do it");
        interrupted.onEvent(new AgentEvent.Message(T0, "halfway"));
        Path file = interrupted.writer().file();
        String before = Files.readString(file);

        // A new process (a new SessionTranscripts) runs the very same attempt again.
        AttemptTranscript resumed = transcripts().attempt("run-1", "impl", 1, 0, "implementer", "builtin", "m", AgentListener.NONE);
        resumed.started("do it");
        resumed.onEvent(new AgentEvent.Message(T0, "all done"));

        assertThat(Files.readString(file)).startsWith(before);
        assertThat(kinds(file)).containsExactly("prompt", "message", "resumed", "prompt", "message");
        // A later attempt gets its own file.
        transcripts().attempt("run-1", "impl", 2, 0, "implementer", "builtin", "m", AgentListener.NONE).started("again");
        assertThat(kinds(repo.resolve(".ensemble/sessions/run-1/impl-a2-f0.jsonl"))).containsExactly("prompt");
    }

    @Test
    void aPlantedKeyAppearsInNoLineWhereverItIs() throws Exception {
        redactor.register(KEY);
        SessionTranscripts transcripts = transcripts();
        AttemptTranscript attempt = transcripts.attempt("run-1", "impl", 1, 0, "implementer", "codex", "gpt", AgentListener.NONE);
        attempt.started("use the key " + KEY);
        attempt.onEvent(new AgentEvent.ToolUse(T0, "shell", "{\"cmd\":\"curl -H 'Authorization: Bearer " + KEY + "'\"}"));
        attempt.onEvent(new AgentEvent.CommandRun(T0, "echo " + KEY, 0, KEY + "\n\"quoted\" " + KEY));
        attempt.onEvent(new AgentEvent.Error(T0, "401 for key " + KEY));
        attempt.finished(new AgentResult(AgentResult.Status.FAILED, "the key is " + KEY, List.of(), Usage.ZERO, 0, java.util.OptionalDouble.empty(),
                Optional.of(KEY), 1, Duration.ZERO, "auth failed with " + KEY, List.of()));
        ScriptedChatModel model = new ScriptedChatModel("reviewer-model", "{\"verdict\":\"pass\",\"reasons\":[\"saw " + KEY + "\"]}");
        attempt.reviewer(model).chat(dev.ensemble.llm.ChatRequest.of(dev.ensemble.llm.ChatMessage.user("review " + KEY)));

        Path dir = transcripts.folder("run-1");
        try (var files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(2);
            for (Path file : all) {
                String text = Files.readString(file);
                assertThat(text).doesNotContain(KEY).doesNotContain("sk-planted").contains(Redactor.MASK);
                lines(file);  // still valid JSON, line by line
            }
        }
    }

    @Test
    void aTasksFilesAreListedInTheOrderTheyRanAndOnlyItsOwn() throws Exception {
        SessionTranscripts transcripts = transcripts();
        for (String name : List.of("impl-a1-f0", "impl-a2-f0", "impl-a1-f1", "impl-a10-f0", "impl-review", "impl-a1-f0-a1-f0",
                "impl-review-a1-f0", "plan", "other-a1-f0")) {
            Files.createDirectories(transcripts.folder("run-1"));
            Files.writeString(transcripts.folder("run-1").resolve(name + ".jsonl"), "{}\n");
        }
        assertThat(transcripts.filesOf("run-1", "impl")).containsExactly(
                ".ensemble/sessions/run-1/impl-a1-f0.jsonl", ".ensemble/sessions/run-1/impl-a2-f0.jsonl",
                ".ensemble/sessions/run-1/impl-a10-f0.jsonl", ".ensemble/sessions/run-1/impl-a1-f1.jsonl",
                ".ensemble/sessions/run-1/impl-review.jsonl");
        assertThat(transcripts.filesOf("run-1", "impl-review")).containsExactly(".ensemble/sessions/run-1/impl-review-a1-f0.jsonl");
        assertThat(transcripts.filesOf("run-2", "impl")).isEmpty();
    }

    @Test
    void taskIdsCannotWalkOutOfTheRunsFolderAndRunIdsAreChecked() {
        SessionTranscripts transcripts = transcripts();
        Path file = transcripts.attemptWriter("run-1", "../../escape", 1, 0).file();
        assertThat(file.getParent()).isEqualTo(repo.resolve(".ensemble/sessions/run-1"));
        assertThat(file.getFileName().toString()).isEqualTo("_.._.._escape-a1-f0.jsonl");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> transcripts.plan("../x")).isInstanceOf(IllegalArgumentException.class);
    }
}
