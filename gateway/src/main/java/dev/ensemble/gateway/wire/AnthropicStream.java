package dev.ensemble.gateway.wire;

import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import tools.jackson.databind.node.ObjectNode;

/**
 * Messages events: {@code message_start}, then content blocks numbered from 0 in the order they
 * open (a text block while text arrives, one {@code tool_use} block per call with its input as one
 * {@code input_json_delta}), {@code message_delta} with the stop reason and usage, and
 * {@code message_stop}. The input count is not known until the answer is done, so message_start
 * says 0 and message_delta carries every count (the SDKs take the counts of message_delta).
 */
final class AnthropicStream implements StreamEncoder {
    private final String model;
    private int nextIndex;
    /** The index of the open text block, or -1. */
    private int openText = -1;

    AnthropicStream(String model) {
        this.model = model;
    }

    @Override
    public String start() {
        ObjectNode message = AnthropicCodec.message(Sse.id("msg_"), model);
        message.putNull("stop_reason").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", 0).put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0).put("output_tokens", 0);
        return event("message_start", typed("message_start").set("message", message));
    }

    @Override
    public String text(String delta) {
        if (delta.isEmpty()) return "";
        StringBuilder frames = new StringBuilder();
        if (openText < 0) {
            openText = nextIndex++;
            frames.append(event("content_block_start", typed("content_block_start").put("index", openText)
                    .set("content_block", obj().put("type", "text").put("text", ""))));
        }
        frames.append(event("content_block_delta", typed("content_block_delta").put("index", openText)
                .set("delta", obj().put("type", "text_delta").put("text", delta))));
        return frames.toString();
    }

    @Override
    public String toolCall(ToolCall call) {
        StringBuilder frames = new StringBuilder(closeText());
        int index = nextIndex++;
        ObjectNode block = obj().put("type", "tool_use").put("id", Sse.callId(call.id(), "toolu_")).put("name", call.name());
        block.putObject("input");
        frames.append(event("content_block_start", typed("content_block_start").put("index", index).set("content_block", block)));
        frames.append(event("content_block_delta", typed("content_block_delta").put("index", index).set("delta",
                obj().put("type", "input_json_delta").put("partial_json", Fields.argumentsObject(call.argumentsJson()).toString()))));
        frames.append(event("content_block_stop", typed("content_block_stop").put("index", index)));
        return frames.toString();
    }

    @Override
    public String finish(ChatResponse response) {
        StringBuilder frames = new StringBuilder(closeText());
        ObjectNode delta = typed("message_delta");
        delta.putObject("delta").put("stop_reason", AnthropicCodec.stopReason(response.finishReason())).putNull("stop_sequence");
        delta.set("usage", AnthropicCodec.usage(response.usage()));
        frames.append(event("message_delta", delta));
        frames.append(event("message_stop", typed("message_stop")));
        return frames.toString();
    }

    @Override
    public String error(int httpStatus, String message) {
        return event("error", AnthropicCodec.errorBody(httpStatus, message));
    }

    private String closeText() {
        if (openText < 0) return "";
        String frame = event("content_block_stop", typed("content_block_stop").put("index", openText));
        openText = -1;
        return frame;
    }

    private static String event(String name, ObjectNode data) {
        return Sse.event(name, data);
    }

    private static ObjectNode typed(String type) {
        return obj().put("type", type);
    }

    private static ObjectNode obj() {
        return HttpTransport.JSON.createObjectNode();
    }
}
