package dev.ensemble.gateway.wire;

import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import tools.jackson.databind.node.ObjectNode;

/**
 * Responses events, each named twice (the {@code event:} line and {@code type}) and numbered by
 * {@code sequence_number}: {@code response.created} and {@code response.in_progress}; for text a
 * message item ({@code output_item.added}, {@code content_part.added}, {@code output_text.delta}s,
 * then the matching {@code .done} events); for each call a {@code function_call} item with its
 * arguments as one delta and a {@code .done}; then {@code response.completed} (or
 * {@code response.incomplete}) holding every output item and the usage.
 */
final class ResponsesStream implements StreamEncoder {
    private final ObjectNode response;
    private int sequence;
    private String messageId;
    private int messageIndex = -1;
    private final StringBuilder messageText = new StringBuilder();

    /** The request's custom tools, read on the first tool call (most answers have none). */
    private final java.util.function.Supplier<java.util.Set<String>> customToolsOfRequest;
    private java.util.Set<String> customTools;

    ResponsesStream(String model, java.util.function.Supplier<java.util.Set<String>> customTools) {
        response = ResponsesCodec.response(Sse.id("resp_"), model, System.currentTimeMillis() / 1000);
        this.customToolsOfRequest = customTools;
    }

    @Override
    public String start() {
        return event("response.created", obj().set("response", response.deepCopy()))
                + event("response.in_progress", obj().set("response", response.deepCopy()));
    }

    @Override
    public String text(String delta) {
        if (delta.isEmpty()) return "";
        StringBuilder frames = new StringBuilder();
        if (messageId == null) {
            messageId = Sse.id("msg_");
            messageIndex = response.withArray("output").size();
            response.withArray("output").add(ResponsesCodec.messageItem(messageId, null, "in_progress"));
            frames.append(event("response.output_item.added", obj().put("output_index", messageIndex)
                    .set("item", ResponsesCodec.messageItem(messageId, null, "in_progress"))));
            frames.append(event("response.content_part.added", part().set("part", ResponsesCodec.textPart(""))));
        }
        messageText.append(delta);
        ObjectNode event = part().put("delta", delta);
        event.putArray("logprobs");
        frames.append(event("response.output_text.delta", event));
        return frames.toString();
    }

    @Override
    public String toolCall(ToolCall call) {
        StringBuilder frames = new StringBuilder(closeMessage());
        if (customTools == null) customTools = customToolsOfRequest.get();
        ToolCall named = new ToolCall(Sse.callId(call.id(), "call_"), call.name(), call.argumentsJson());
        int index = response.withArray("output").size();
        if (customTools.contains(call.name())) return frames.append(customCall(named, index)).toString();
        String id = Sse.id("fc_");
        ObjectNode done = ResponsesCodec.functionCallItem(id, named, named.argumentsJson(), "completed");
        response.withArray("output").add(done);
        frames.append(event("response.output_item.added", obj().put("output_index", index)
                .set("item", ResponsesCodec.functionCallItem(id, named, "", "in_progress"))));
        frames.append(event("response.function_call_arguments.delta", obj().put("item_id", id).put("output_index", index)
                .put("delta", named.argumentsJson())));
        frames.append(event("response.function_call_arguments.done", obj().put("item_id", id).put("output_index", index)
                .put("name", named.name()).put("arguments", named.argumentsJson())));
        frames.append(event("response.output_item.done", obj().put("output_index", index).set("item", done)));
        return frames.toString();
    }

    /** A custom tool's call: its input as one {@code custom_tool_call_input.delta}, then {@code .done}. */
    private String customCall(ToolCall call, int index) {
        String id = Sse.id("ctc_");
        String input = ResponsesCodec.customInput(call);
        ObjectNode done = ResponsesCodec.customCallItem(id, call, input, "completed");
        response.withArray("output").add(done);
        return event("response.output_item.added", obj().put("output_index", index)
                        .set("item", ResponsesCodec.customCallItem(id, call, "", "in_progress")))
                + event("response.custom_tool_call_input.delta", obj().put("item_id", id).put("output_index", index).put("delta", input))
                + event("response.custom_tool_call_input.done", obj().put("item_id", id).put("output_index", index).put("input", input))
                + event("response.output_item.done", obj().put("output_index", index).set("item", done));
    }

    @Override
    public String finish(ChatResponse answer) {
        StringBuilder frames = new StringBuilder(closeMessage());
        ResponsesCodec.complete(response, answer);
        String type = ResponsesCodec.incomplete(answer.finishReason()) ? "response.incomplete" : "response.completed";
        return frames.append(event(type, obj().set("response", response))).toString();
    }

    /** The {@code error} event the SDKs raise; {@code code} is OpenAI's code for the status. */
    @Override
    public String error(int httpStatus, String message) {
        ObjectNode error = (ObjectNode) OpenAiChatCodec.errorBody(httpStatus, message, null).get("error");
        ObjectNode event = obj().put("code", error.path("code").isNull() ? error.path("type").asString() : error.path("code").asString())
                .put("message", message).putNull("param");
        return event("error", event);
    }

    private String closeMessage() {
        if (messageId == null) return "";
        String text = messageText.toString();
        ObjectNode item = ResponsesCodec.messageItem(messageId, text, "completed");
        response.withArray("output").set(messageIndex, item);
        String frames = event("response.output_text.done", part().put("text", text).set("logprobs", HttpTransport.JSON.createArrayNode()))
                + event("response.content_part.done", part().set("part", ResponsesCodec.textPart(text)))
                + event("response.output_item.done", obj().put("output_index", messageIndex).set("item", item));
        messageId = null;
        messageText.setLength(0);
        return frames;
    }

    private ObjectNode part() {
        return obj().put("item_id", messageId).put("output_index", messageIndex).put("content_index", 0);
    }

    private String event(String type, ObjectNode data) {
        ObjectNode event = obj().put("type", type);
        event.setAll(data);
        event.put("sequence_number", sequence++);
        return Sse.event(type, event);
    }

    private static ObjectNode obj() {
        return HttpTransport.JSON.createObjectNode();
    }
}
