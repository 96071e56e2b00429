package dev.ensemble.gateway.wire;

import dev.ensemble.core.Usage;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ToolCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Answers to encode, and a whole stream from an encoder. */
final class Answers {
    private Answers() {}

    static ChatResponse text(String text, Usage usage) {
        return new ChatResponse(text, List.of(), FinishReason.STOP, usage, "served-model", Duration.ZERO, null, List.of());
    }

    static ChatResponse toolCall(String text, ToolCall call, Usage usage) {
        return new ChatResponse(text, List.of(call), FinishReason.TOOL_CALLS, usage, "served-model", Duration.ZERO, null, List.of());
    }

    /** The frames of a stream: start, each text piece, the answer's tool calls, finish. */
    static String stream(StreamEncoder encoder, ChatResponse answer, String... pieces) {
        StringBuilder out = new StringBuilder(encoder.start());
        for (String piece : pieces) out.append(encoder.text(piece));
        for (ToolCall call : answer.toolCalls()) out.append(encoder.toolCall(call));
        return out.append(encoder.finish(answer)).toString();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
