package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.core.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each parser against output recorded from the real CLI (src/test/resources/fake-clis/samples). */
class OutputParsersTest {
    private static final Instant AT = Instant.parse("2026-11-21T00:00:00Z");

    private static List<AgentEvent> feed(OutputParser parser, String sample) {
        List<AgentEvent> events = new ArrayList<>();
        for (String line : FakeClis.sample(sample)) events.addAll(parser.accept(line, AT));
        events.addAll(parser.finish(AT));
        return events;
    }

    @Test
    void claudeStreamJson() {
        ClaudeStreamParser parser = new ClaudeStreamParser(ClaudeStreamParser.Flavor.CLAUDE);
        List<AgentEvent> events = feed(parser, "claude-ok.jsonl");
        RunSummary s = parser.summary();

        assertThat(s.finished()).isTrue();
        assertThat(s.error()).isEmpty();
        assertThat(s.sessionId()).contains("aab4f4db-0f3a-448d-b6f5-db7141cda5a4");
        assertThat(s.finalMessage()).isEqualTo("Done: hello.txt is written.");
        assertThat(s.costUsd()).isPresent();
        assertThat(s.costUsd().getAsDouble()).isPositive();
        assertThat(s.usage().inputTokens()).isPositive();
        assertThat(s.usage().outputTokens()).isPositive();
        assertThat(events).filteredOn(AgentEvent.ToolUse.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((AgentEvent.ToolUse) e).tool()).isEqualTo("Write"));
        assertThat(events).filteredOn(AgentEvent.Message.class::isInstance).hasSize(1);
        assertThat(events).noneMatch(AgentEvent.Raw.class::isInstance);
    }

    @Test
    void claudeIsErrorIsAFailureWithRetriesAsErrorEvents() {
        ClaudeStreamParser parser = new ClaudeStreamParser(ClaudeStreamParser.Flavor.CLAUDE);
        List<AgentEvent> events = feed(parser, "claude-401.jsonl");

        assertThat(parser.summary().error()).get().asString().startsWith("Failed to authenticate. API Error: 401");
        assertThat(events).filteredOn(AgentEvent.Error.class::isInstance).hasSizeGreaterThanOrEqualTo(4)
                .first().satisfies(e -> assertThat(((AgentEvent.Error) e).message()).contains("401").contains("retry 1 of 3"));
    }

    @Test
    void claudeUsageCountsEveryModelCallOfTheRunSideCallsIncluded() {
        // usage is the main conversation's; modelUsage adds the side call (a title) made to the small fast model.
        var usage = ClaudeStreamParser.claudeUsage(JsonLineParser.JSON.readTree("""
                {"type":"result","total_cost_usd":0.05,
                 "usage":{"input_tokens":1000,"cache_read_input_tokens":200,"output_tokens":50},
                 "modelUsage":{
                   "qwen3-coder":{"inputTokens":1000,"outputTokens":50,"cacheReadInputTokens":200,"cacheCreationInputTokens":0,"costUSD":0.04},
                   "qwen3-coder-small":{"inputTokens":300,"outputTokens":12,"cacheReadInputTokens":0,"cacheCreationInputTokens":10,"costUSD":0.01}}}"""));
        assertThat(usage).isEqualTo(new Usage(1200 + 310, 62, 200));
        assertThat(ClaudeStreamParser.claudeUsage(JsonLineParser.JSON.readTree("{\"usage\":{\"input_tokens\":9,\"output_tokens\":2}}")))
                .as("no modelUsage: usage").isEqualTo(new Usage(9, 2, 0));
    }

    @Test
    void anthropicUsageCountsCacheReadsAndWritesAsInput() {
        var usage = ClaudeStreamParser.usage(JsonLineParser.JSON.readTree(
                "{\"input_tokens\":10,\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100,\"output_tokens\":7}"));
        assertThat(usage).isEqualTo(new Usage(115, 7, 100));
    }

    @Test
    void qwenStreamJson() {
        ClaudeStreamParser parser = new ClaudeStreamParser(ClaudeStreamParser.Flavor.QWEN);
        List<AgentEvent> events = feed(parser, "qwen-ok.jsonl");
        RunSummary s = parser.summary();

        assertThat(s.finished()).isTrue();
        assertThat(s.error()).isEmpty();
        assertThat(s.sessionId()).isPresent();
        assertThat(s.finalMessage()).isEqualTo("Done: hello.txt is written.");
        assertThat(s.costUsd()).as("qwen reports no cost").isEmpty();
        assertThat(s.usage().inputTokens()).isPositive();
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.ToolUse t && t.tool().equals("write_file"));
    }

    @Test
    void qwenApiErrorInASuccessfulResultIsAFailure() {
        ClaudeStreamParser parser = new ClaudeStreamParser(ClaudeStreamParser.Flavor.QWEN);
        feed(parser, "qwen-401.jsonl");

        assertThat(parser.summary().finished()).isTrue();
        assertThat(parser.summary().error()).get().asString().startsWith("[API Error: 401");
    }

    @Test
    void codexJson() {
        CodexJsonParser parser = new CodexJsonParser();
        List<AgentEvent> events = feed(parser, "codex-ok.jsonl");
        RunSummary s = parser.summary();

        assertThat(s.finished()).isTrue();
        assertThat(s.error()).as("the model-metadata warning is not a failure").isEmpty();
        assertThat(s.sessionId()).isPresent();
        assertThat(s.finalMessage()).isEqualTo("Done: hello.txt is written.");
        assertThat(s.usage().inputTokens()).isPositive();
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(AgentEvent.CommandRun.class, c -> {
            assertThat(c.command()).contains("printf hi > hello.txt");
            assertThat(c.exitCode()).isZero();
        }));
    }

    @Test
    void codexTurnFailedIsAFailure() {
        CodexJsonParser parser = new CodexJsonParser();
        List<AgentEvent> events = feed(parser, "codex-401.jsonl");

        assertThat(parser.summary().finished()).isFalse();
        assertThat(parser.summary().error()).get().asString().contains("401 Unauthorized");
        assertThat(events).filteredOn(AgentEvent.Error.class::isInstance).hasSizeGreaterThan(5);
    }

    @Test
    void opencodeJson() {
        OpencodeJsonParser parser = new OpencodeJsonParser();
        List<AgentEvent> events = feed(parser, "opencode-ok.jsonl");
        RunSummary s = parser.summary();

        assertThat(s.finished()).isTrue();
        assertThat(s.sessionId()).contains("ses_e03694555ffeDf2OYPVBmYBp2G");
        assertThat(s.finalMessage()).isEqualTo("Done: hello.txt is written.");
        assertThat(s.usage()).isEqualTo(new Usage(2415 + 2421, 21 + 7, 0));
        assertThat(s.costUsd().getAsDouble()).isCloseTo(0.00756 + 0.007368, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.ToolUse t && t.tool().equals("write"));
    }

    @Test
    void opencodeErrorEventIsAFailure() {
        OpencodeJsonParser parser = new OpencodeJsonParser();
        feed(parser, "opencode-error.jsonl");

        assertThat(parser.summary().error()).contains("APIError: Bad Request: scripted error 400");
        assertThat(parser.summary().finished()).isFalse();
    }

    @Test
    void geminiStreamJsonJoinsDeltas() {
        GeminiStreamParser parser = new GeminiStreamParser();
        List<AgentEvent> events = feed(parser, "gemini-ok.jsonl");
        RunSummary s = parser.summary();

        assertThat(s.finished()).isTrue();
        assertThat(s.error()).isEmpty();
        assertThat(s.sessionId()).isPresent();
        assertThat(s.finalMessage()).isEqualTo("Done: hello.txt is written.");
        assertThat(s.usage()).as("input counted once, not twice").isEqualTo(new Usage(13000, 29, 0));
        assertThat(events).filteredOn(AgentEvent.Message.class::isInstance).hasSize(1);
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.ToolUse t && t.tool().equals("write_file"));
    }

    @Test
    void geminiResultStatusErrorIsAFailure() {
        GeminiStreamParser parser = new GeminiStreamParser();
        feed(parser, "gemini-401.jsonl");

        assertThat(parser.summary().error()).get().asString().startsWith("[API Error:").contains("401");
    }

    @Test
    void continueJsonAndSessionFile() {
        ContinueJsonParser parser = new ContinueJsonParser();
        List<AgentEvent> events = feed(parser, "cn-ok.json");
        RunSummary s = parser.summary();
        assertThat(s.finished()).isTrue();
        assertThat(s.finalMessage()).isEqualTo("Done: hello.txt is written.");
        assertThat(events).singleElement().isInstanceOf(AgentEvent.Message.class);

        var session = JsonLineParser.JSON.readTree(String.join("\n", FakeClis.sample("cn-session.json")));
        List<AgentEvent> fromSession = ContinueAgent.fromSession(session, 0, s, AT);
        assertThat(s.sessionId()).contains("b70e78dd-7fcf-4f4f-9295-e26a01d33ee7");
        assertThat(s.usage()).isEqualTo(new Usage(890, 27, 0));
        assertThat(fromSession).singleElement().isInstanceOfSatisfying(AgentEvent.ToolUse.class, t -> assertThat(t.tool()).isEqualTo("Write"));

        RunSummary resumed = new RunSummary();
        assertThat(ContinueAgent.fromSession(session, 2, resumed, AT)).as("history before the resumed run is not repeated").isEmpty();
        assertThat(resumed.usage()).isEqualTo(new Usage(454, 7, 0));
    }

    @Test
    void continuePrettyPrintedAnswerAndErrorStatus() {
        ContinueJsonParser parser = new ContinueJsonParser();
        for (String line : List.of("Loading config...", "{", "  \"response\": \"could not reach the model\",", "  \"status\": \"error\"", "}")) {
            parser.accept(line, AT);
        }
        List<AgentEvent> events = parser.finish(AT);

        assertThat(parser.summary().finished()).isTrue();
        assertThat(parser.summary().error()).contains("status error: could not reach the model");
        assertThat(events).first().isInstanceOf(AgentEvent.Raw.class);
    }

    @Test
    void aiderPlainOutput() {
        AiderOutputParser parser = new AiderOutputParser();
        List<AgentEvent> events = feed(parser, "aider-ok.txt");
        RunSummary s = parser.summary();

        assertThat(s.finished()).isTrue();
        assertThat(s.error()).isEmpty();
        assertThat(s.usage()).isEqualTo(new Usage(2300, 120, 1100));
        assertThat(s.costUsd().getAsDouble()).isEqualTo(0.0123);
        assertThat(s.finalMessage()).startsWith("I will create hello.txt").doesNotContain("Aider v");
        assertThat(s.sessionId()).isEmpty();
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.ToolUse t && t.input().equals("hello.txt"));
    }

    @Test
    void aiderProviderErrorIsAFailure() {
        AiderOutputParser parser = new AiderOutputParser();
        feed(parser, "aider-error.txt");

        assertThat(parser.summary().error()).get().asString().startsWith("litellm.AuthenticationError");
    }

    @Test
    void aiderTokenCounts() {
        assertThat(AiderOutputParser.usage("1,234 sent, 56 received")).isEqualTo(new Usage(1234, 56, 0));
        assertThat(AiderOutputParser.usage("12k sent, 2 cache write, 4.5k cache hit, 1.2M received"))
                .isEqualTo(new Usage(12000, 1_200_000, 4500));
    }

    @Test
    void nonJsonLinesAreRawAndCounted() {
        CodexJsonParser parser = new CodexJsonParser();
        List<AgentEvent> events = new ArrayList<>(parser.accept("Welcome!", AT));
        events.addAll(parser.accept("{not json", AT));
        events.addAll(parser.accept("[1,2]", AT));

        assertThat(events).hasSize(3).allMatch(AgentEvent.Raw.class::isInstance);
        assertThat(parser.summary().parsedLines()).isZero();
        assertThat(parser.summary().unparsedLines()).isEqualTo(3);
        assertThat(parser.summary().firstUnparsed()).contains("Welcome!");
    }
}
