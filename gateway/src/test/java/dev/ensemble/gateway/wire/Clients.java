package dev.ensemble.gateway.wire;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.provider.AnthropicChatModel;
import dev.ensemble.llm.provider.GeminiChatModel;
import dev.ensemble.llm.provider.OllamaChatModel;
import dev.ensemble.llm.provider.OpenAiChatModel;
import dev.ensemble.llm.provider.OpenAiResponsesModel;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ensemble's own llm providers, the clients of each wire, pointed at a loopback server. */
final class Clients {
    static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(10));

    private Clients() {}

    static ChatModel of(WireProtocol wire, String serverUrl) {
        String base = switch (wire) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> serverUrl + "/v1";
            default -> serverUrl;
        };
        ProviderSpec provider = new ProviderSpec("test-" + wire.key(), wire, base, Optional.empty(), false);
        ModelSpec spec = new ModelSpec("target", provider.name(), "target-wire", "test",
                new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)), 128_000, 4096, 100, false, true, Map.of());
        HttpTransport http = new HttpTransport(HttpTransport.newClient(TIMEOUTS.connect()), TIMEOUTS, provider.name());
        Optional<String> key = Optional.of("test-key");
        return switch (wire) {
            case OPENAI_CHAT -> new OpenAiChatModel(spec, provider, http, key);
            case OPENAI_RESPONSES -> new OpenAiResponsesModel(spec, provider, http, key);
            case ANTHROPIC -> new AnthropicChatModel(spec, provider, http, key);
            case GEMINI -> new GeminiChatModel(spec, provider, http, key);
            case OLLAMA -> new OllamaChatModel(spec, provider, http, Optional.empty());
        };
    }

    /** Reads a plain answer the codec of {@code wire} encoded, with that wire's real client. */
    static ChatResponse readPlain(WireProtocol wire, byte[] body) {
        try (CannedUpstream upstream = CannedUpstream.json(body)) {
            return of(wire, upstream.baseUrl()).chat(ChatRequest.of(dev.ensemble.llm.ChatMessage.user("hi")));
        }
    }

    /** Reads a stream the codec of {@code wire} encoded, with that wire's real client. */
    static Streamed readStream(WireProtocol wire, String events) {
        try (CannedUpstream upstream = CannedUpstream.sse(events)) {
            Streamed seen = new Streamed(new ArrayList<>(), new ArrayList<>(), null);
            ChatResponse response = of(wire, upstream.baseUrl()).chat(ChatRequest.of(dev.ensemble.llm.ChatMessage.user("hi")),
                    new StreamListener() {
                        @Override public void onText(String delta) { seen.deltas().add(delta); }
                        @Override public void onToolCall(ToolCall call) { seen.calls().add(call); }
                    });
            return new Streamed(seen.deltas(), seen.calls(), response);
        }
    }

    /** Sends a request with a wire's real client and returns the body that went out. */
    static String sentBody(WireProtocol wire, ChatRequest request, byte[] answer) {
        try (CannedUpstream upstream = CannedUpstream.json(answer)) {
            of(wire, upstream.baseUrl()).chat(request);
            return upstream.bodies().getFirst();
        }
    }

    record Streamed(List<String> deltas, List<ToolCall> calls, ChatResponse response) {}
}
