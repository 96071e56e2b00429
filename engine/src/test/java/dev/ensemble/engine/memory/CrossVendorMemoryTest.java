package dev.ensemble.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.provider.AnthropicChatModel;
import dev.ensemble.llm.provider.OpenAiChatModel;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One model writes, a model of another vendor reads: a Claude model (Anthropic's wire protocol)
 * answers the planner's question, its answer becomes a note, and the prompt built for a GPT model
 * (OpenAI chat protocol) carries that note to the server.
 */
class CrossVendorMemoryTest {
    private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(10));
    private static final String DECISION = "Store every timestamp as UTC ISO-8601 text with exactly three fraction digits.";

    @TempDir Path repo;

    private static ModelSpec model(String id, String provider, String family) {
        return new ModelSpec(id, provider, id + "-wire", family, new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, false, true, Map.of());
    }

    private static HttpTransport http(String name) {
        return new HttpTransport(HttpTransport.newClient(TIMEOUTS.connect()), TIMEOUTS, name);
    }

    @Test
    void aDecisionByOneVendorsModelReachesAnotherVendorsPrompt() {
        ModelSpec claude = model("claude-sonnet-4-5", "anthropic", "claude");
        ModelSpec gpt = model("gpt-5-mini", "house", "gpt");
        try (ScriptedModelServer server = ScriptedModelServer.start();
             Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            server.rule(Rule.text(DECISION).forProtocol("anthropic"));
            server.rule(Rule.text("Done: the column is TEXT.").forProtocol("openai-chat"));
            ChatModel planner = new AnthropicChatModel(claude,
                    new ProviderSpec("anthropic", WireProtocol.ANTHROPIC, server.baseUrl(), Optional.empty(), false),
                    http("anthropic/claude-sonnet-4-5"), Optional.of("sk-ant-memory-test-key"));
            ChatModel implementer = new OpenAiChatModel(gpt,
                    new ProviderSpec("house", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), false),
                    http("house/gpt-5-mini"), Optional.of("sk-openai-memory-test-key"));
            SharedMemory memory = new SharedMemory(store);

            String answer = planner.chat(ChatRequest.of(ChatMessage.user("How should the ledger store call times?"))).text();
            Note note = memory.add(NoteDraft.byModel(claude, "run-7", "planner", NoteKind.DECISION, answer, List.of("storage")));
            assertThat(note.vendor()).isEqualTo("anthropic");
            assertThat(Vendor.of(gpt)).isEqualTo("openai").isNotEqualTo(note.vendor());

            String task = "Add a finished-at timestamp column to the outcomes table.";
            String context = memory.relevantContext(task, Optional.of("run-7"), 300);
            implementer.chat(ChatRequest.of(ChatMessage.user(context + "\n" + task)));

            assertThat(server.requests()).extracting(RecordedRequest::protocol).containsExactly("anthropic", "openai-chat");
            RecordedRequest read = server.requests().getLast();
            assertThat(read.model()).isEqualTo("gpt-5-mini-wire");
            assertThat(read.parsed().lastUserText())
                    .contains("Shared memory (notes from earlier steps):")
                    .contains("- [decision by claude-sonnet-4-5, planner] " + DECISION)
                    .endsWith(task);
            assertThat(server.requests().getFirst().parsed().inputText()).doesNotContain("Shared memory");
        }
    }
}
