package dev.ensemble.agents.builtin;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.provider.OllamaChatModel;
import dev.ensemble.llm.provider.OpenAiChatModel;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A builtin agent talking through a real provider client to the scripted model server, in a
 * workspace folder. A script is a list of replies, each answered once, in order.
 */
final class Harness implements AutoCloseable {
    static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(10));
    static final ModelSpec MODEL = new ModelSpec("local-model", "ollama", "local-model-wire", "test",
            new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)), 128_000, 4096, 100, false, true, Map.of());

    final ScriptedModelServer server = ScriptedModelServer.start();
    final Path workspace;
    final List<AgentEvent> live = new CopyOnWriteArrayList<>();
    BuiltinSettings settings = BuiltinSettings.DEFAULTS;
    List<String> owned = List.of();
    Duration timeout = Duration.ofSeconds(20);
    Optional<String> resume = Optional.empty();
    WireProtocol wire = WireProtocol.OLLAMA;

    Harness(Path workspace) {
        this.workspace = workspace;
    }

    /** Each reply answers exactly one request, in order. */
    Harness script(Reply... replies) {
        for (int i = 0; i < replies.length; i++) server.rule(Rule.answer(replies[i]).times(1).named("step " + (i + 1)));
        return this;
    }

    static Reply call(String tool, String... keysAndValues) {
        return Reply.toolCall(tool, args(keysAndValues));
    }

    static String args(String... keysAndValues) {
        ObjectNode node = HttpTransport.JSON.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) node.put(keysAndValues[i], keysAndValues[i + 1]);
        return HttpTransport.JSON.writeValueAsString(node);
    }

    static Reply finish(String summary) {
        return call("finish", "summary", summary);
    }

    ChatModel model() {
        if (wire == WireProtocol.OPENAI_CHAT) {
            var provider = new ProviderSpec("deepseek", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), false);
            return new OpenAiChatModel(MODEL.withProvider("deepseek"), provider,
                    new HttpTransport(HttpTransport.newClient(TIMEOUTS.connect()), TIMEOUTS, "deepseek/local-model"),
                    Optional.of("sk-test-key-123456"));
        }
        var provider = new ProviderSpec("ollama", WireProtocol.OLLAMA, server.baseUrl(), Optional.empty(), true);
        return new OllamaChatModel(MODEL, provider,
                new HttpTransport(HttpTransport.newClient(TIMEOUTS.connect()), TIMEOUTS, "ollama/local-model"), Optional.empty());
    }

    AgentTask task(String prompt) {
        var provider = new ProviderSpec("ollama", wire, server.baseUrl(), Optional.empty(), true);
        return new AgentTask("run1", "task1", prompt, MODEL, provider, Optional.empty(), owned, timeout, resume);
    }

    AgentResult run(String prompt) {
        ChatModel model = model();
        var agent = new BuiltinAgent(task -> model, settings);
        var ws = new Workspace(workspace, workspace, "ensemble/run1/task1", "0000000", "run1", "task1");
        return agent.run(task(prompt), ws, live::add);
    }

    /** The messages of the last request the model received. */
    JsonNode lastMessages() {
        return HttpTransport.JSON.readTree(server.requests().getLast().body()).path("messages");
    }

    /** The tool results of the conversation, in order, as the model saw them on the last request. */
    List<String> toolResults() {
        List<String> out = new ArrayList<>();
        for (JsonNode message : lastMessages()) {
            if (message.path("role").asString().equals("tool")) out.add(message.path("content").asString());
        }
        return out;
    }

    List<RecordedRequest> requests() {
        return server.requests();
    }

    @Override
    public void close() {
        server.close();
    }
}
