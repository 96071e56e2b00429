package dev.ensemble.gateway.wire;

import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import tools.jackson.databind.node.ObjectNode;

/**
 * Chat Completions chunks: a first chunk with the role, content deltas, one {@code tool_calls}
 * delta per call (name and id, then its arguments, under the call's {@code index}), a chunk with
 * the finish reason, a usage chunk with no choices when the client asked for it, and
 * {@code data: [DONE]}. Every chunk carries the same id and creation time, as OpenAI's do.
 */
final class OpenAiChatStream implements StreamEncoder {
    private final String id = Sse.id("chatcmpl-");
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final boolean includeUsage;
    private int toolIndex;

    OpenAiChatStream(String model, boolean includeUsage) {
        this.model = model;
        this.includeUsage = includeUsage;
    }

    @Override
    public String start() {
        ObjectNode chunk = chunk();
        delta(chunk).put("role", "assistant").put("content", "");
        return Sse.data(chunk);
    }

    @Override
    public String text(String delta) {
        if (delta.isEmpty()) return "";
        ObjectNode chunk = chunk();
        delta(chunk).put("content", delta);
        return Sse.data(chunk);
    }

    @Override
    public String toolCall(ToolCall call) {
        int index = toolIndex++;
        ObjectNode head = chunk();
        ObjectNode headCall = delta(head).putArray("tool_calls").addObject().put("index", index)
                .put("id", Sse.callId(call.id(), "call_")).put("type", "function");
        headCall.putObject("function").put("name", call.name()).put("arguments", "");
        ObjectNode arguments = chunk();
        delta(arguments).putArray("tool_calls").addObject().put("index", index).putObject("function")
                .put("arguments", call.argumentsJson());
        return Sse.data(head) + Sse.data(arguments);
    }

    @Override
    public String finish(ChatResponse response) {
        ObjectNode last = chunk();
        ((ObjectNode) last.withArray("choices").get(0)).put("finish_reason", OpenAiChatCodec.finishReason(response.finishReason()));
        StringBuilder frames = new StringBuilder(Sse.data(last));
        if (includeUsage) {
            ObjectNode usage = header();
            usage.putArray("choices");
            usage.set("usage", OpenAiChatCodec.usage(response.usage()));
            frames.append(Sse.data(usage));
        }
        return frames.append("data: [DONE]\n\n").toString();
    }

    /** OpenAI reports a failure inside a stream as a chunk holding only an {@code error} object; the SDKs raise it. */
    @Override
    public String error(int httpStatus, String message) {
        return Sse.data(OpenAiChatCodec.errorBody(httpStatus, message, null)) + "data: [DONE]\n\n";
    }

    private ObjectNode header() {
        return HttpTransport.JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model).putNull("system_fingerprint");
    }

    private ObjectNode chunk() {
        ObjectNode chunk = header();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs").putNull("finish_reason");
        // With include_usage every chunk carries "usage": null until the last.
        if (includeUsage) chunk.putNull("usage");
        return chunk;
    }

    private static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.withArray("choices").get(0).get("delta");
    }
}
