package dev.ensemble.gateway.wire;

import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ToolCall;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gemini's {@code alt=sse} stream: each chunk a whole {@code GenerateContentResponse} holding the
 * new parts (a text piece, or a {@code functionCall}), the last one with an empty text part, the
 * {@code finishReason} and {@code usageMetadata}. There is no opening or closing event.
 */
final class GeminiStream implements StreamEncoder {
    private final String model;

    GeminiStream(String model) {
        this.model = model;
    }

    @Override
    public String start() {
        return "";
    }

    @Override
    public String text(String delta) {
        if (delta.isEmpty()) return "";
        ObjectNode chunk = GeminiCodec.chunk(model);
        GeminiCodec.candidate(chunk).putObject("content").put("role", "model").putArray("parts").addObject().put("text", delta);
        return Sse.data(chunk);
    }

    @Override
    public String toolCall(ToolCall call) {
        ObjectNode chunk = GeminiCodec.chunk(model);
        GeminiCodec.candidate(chunk).putObject("content").put("role", "model").putArray("parts").add(GeminiCodec.functionCallPart(call));
        return Sse.data(chunk);
    }

    @Override
    public String finish(ChatResponse response) {
        ObjectNode chunk = GeminiCodec.chunk(model);
        GeminiCodec.candidate(chunk).putObject("content").put("role", "model").putArray("parts").addObject().put("text", "");
        GeminiCodec.finish(chunk, response);
        return Sse.data(chunk);
    }

    @Override
    public String error(int httpStatus, String message) {
        return Sse.data(GeminiCodec.errorBody(httpStatus, message));
    }
}
