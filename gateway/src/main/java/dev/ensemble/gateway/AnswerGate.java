package dev.ensemble.gateway;

import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Holds an answer's tool calls back until an {@link AnswerCheck} has seen them whole, in the
 * client's wire, whichever path made the answer (the provider's own bytes or the gateway's
 * encoding). A whole answer is checked before it is sent. A stream goes out event by event as
 * before until a tool call begins; from there its events are held until the wire says the calls
 * are complete (Anthropic's {@code message_delta}, a chat chunk's {@code finish_reason}, the
 * Responses API's end of response; a Gemini chunk carries whole calls), then checked, then sent
 * or dropped. An agent acts on a tool call only once it has it whole, so nothing of a refused
 * call can run.
 */
final class AnswerGate {
    /** What to send now, or why the answer was refused (the rest of the stream is then dropped). */
    record Step(byte[] send, Optional<String> refused) {}

    private final WireProtocol wire;
    private final AnswerCheck check;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private final Map<String, String[]> calls = new LinkedHashMap<>();
    private boolean holding;
    private boolean refused;

    AnswerGate(WireProtocol wire, AnswerCheck check) {
        this.wire = wire;
        this.check = check;
    }

    /** A whole (non-streamed) answer: why it must not be sent, or empty. */
    Optional<String> whole(byte[] body) {
        JsonNode node = json(new String(body, StandardCharsets.UTF_8));
        if (node == null) return Optional.empty();
        List<ToolCall> found = new ArrayList<>();
        switch (wire) {
            case ANTHROPIC -> node.path("content").forEach(block -> {
                if (block.path("type").asString("").endsWith("tool_use")) {
                    found.add(new ToolCall("", block.path("name").asString(""), block.path("input").toString()));
                }
            });
            case OPENAI_CHAT -> node.path("choices").forEach(choice -> choice.path("message").path("tool_calls").forEach(call ->
                    found.add(new ToolCall("", call.path("function").path("name").asString(""),
                            call.path("function").path("arguments").asString("")))));
            case OPENAI_RESPONSES -> node.path("output").forEach(item -> item(item).ifPresent(found::add));
            case GEMINI -> found.addAll(gemini(node));
            case OLLAMA -> node.path("message").path("tool_calls").forEach(call -> found.add(new ToolCall("",
                    call.path("function").path("name").asString(""), call.path("function").path("arguments").toString())));
        }
        return found.isEmpty() ? Optional.empty() : check.refuse(found);
    }

    /** The next bytes of the stream, split anywhere: what may go to the client now. */
    Step stream(byte[] bytes, int offset, int length) {
        if (refused) return new Step(new byte[0], Optional.empty());
        pending.write(bytes, offset, length);
        ByteArrayOutputStream send = new ByteArrayOutputStream();
        byte[] all = pending.toByteArray();
        int start = 0;
        for (int end; (end = eventEnd(all, start)) > 0; start = end) {
            Optional<String> why = event(all, start, end, send);
            if (why.isPresent()) {
                refused = true;
                pending.reset();
                held.reset();
                return new Step(send.toByteArray(), why);
            }
        }
        pending.reset();
        pending.write(all, start, all.length - start);
        return new Step(send.toByteArray(), Optional.empty());
    }

    /**
     * The provider's stream ended. Its last event, when it came without the closing blank line, is
     * judged like any other and passed on as it came (a client's parser may still read it, as it
     * would without the gate); calls still held then never reach the client.
     */
    Step end() {
        if (refused || pending.size() == 0) return new Step(new byte[0], Optional.empty());
        byte[] all = pending.toByteArray();
        pending.reset();
        ByteArrayOutputStream send = new ByteArrayOutputStream();
        Optional<String> why = event(all, 0, all.length, send);
        if (why.isPresent()) {
            refused = true;
            held.reset();
        }
        return new Step(send.toByteArray(), why);
    }

    /** The stream ends in an error of the gateway's own: what is held or pending is an unfinished answer, never sent. */
    void drop() {
        refused = true;
        pending.reset();
        held.reset();
        calls.clear();
    }

    /** One whole event: sent, held, or (at the end of the calls) checked with what was held. */
    private Optional<String> event(byte[] all, int start, int end, ByteArrayOutputStream send) {
        String text = new String(all, start, end - start, StandardCharsets.UTF_8);
        boolean release = false;
        List<ToolCall> whole = new ArrayList<>();
        // Text deltas, the bulk of a stream, are passed without parsing until a call begins.
        boolean relevant = holding || text.contains("tool_use") || text.contains("tool_calls") || text.contains("function_call")
                || text.contains("functionCall") || text.contains("custom_tool_call") || text.contains("shell_call")
                || text.contains("response.completed") || text.contains("response.incomplete");
        for (String line : relevant ? text.split("\r?\n") : new String[0]) {
            if (!line.startsWith("data:")) continue;
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                release = true;
                continue;
            }
            JsonNode node = json(data);
            if (node == null) continue;
            release |= read(node, whole);
        }
        if (!whole.isEmpty()) {
            // Gemini: whole calls in one chunk, checked on their own.
            Optional<String> why = check.refuse(whole);
            if (why.isPresent()) return why;
        }
        (holding ? held : send).write(all, start, end - start);
        if (holding && release) {
            List<ToolCall> asked = calls.values().stream().map(c -> new ToolCall("", c[0], c[1])).toList();
            calls.clear();
            holding = false;
            Optional<String> why = asked.isEmpty() ? Optional.empty() : check.refuse(asked);
            if (why.isPresent()) return why;
            send.writeBytes(held.toByteArray());
            held.reset();
        }
        return Optional.empty();
    }

    /** Reads one event's JSON into the calls being assembled; true when it ends them. */
    private boolean read(JsonNode node, List<ToolCall> whole) {
        switch (wire) {
            case ANTHROPIC -> {
                String type = node.path("type").asString("");
                String index = "a" + node.path("index").asInt(0);
                if (type.equals("content_block_start") && node.path("content_block").path("type").asString("").endsWith("tool_use")) {
                    holding = true;
                    JsonNode input = node.path("content_block").path("input");
                    calls.put(index, new String[] {node.path("content_block").path("name").asString(""),
                            input.isObject() && !input.isEmpty() ? input.toString() : ""});
                } else if (type.equals("content_block_delta") && calls.containsKey(index)) {
                    calls.get(index)[1] += node.path("delta").path("partial_json").asString("");
                }
                return type.equals("message_delta") || type.equals("message_stop");
            }
            case OPENAI_CHAT -> {
                boolean finished = false;
                for (JsonNode choice : node.path("choices")) {
                    for (JsonNode call : choice.path("delta").path("tool_calls")) {
                        holding = true;
                        String[] c = calls.computeIfAbsent("c" + call.path("index").asInt(0), k -> new String[] {"", ""});
                        if (call.path("function").has("name")) c[0] += call.path("function").path("name").asString("");
                        c[1] += call.path("function").path("arguments").asString("");
                    }
                    JsonNode legacy = choice.path("delta").path("function_call");
                    if (legacy.isObject()) {
                        holding = true;
                        String[] c = calls.computeIfAbsent("legacy", k -> new String[] {"", ""});
                        c[0] += legacy.path("name").asString("");
                        c[1] += legacy.path("arguments").asString("");
                    }
                    finished |= choice.hasNonNull("finish_reason") && !choice.path("finish_reason").asString("").isEmpty();
                }
                return finished;
            }
            case OPENAI_RESPONSES -> {
                String type = node.path("type").asString("");
                JsonNode item = node.path("item");
                if (type.equals("response.output_item.added") && item(item).isPresent()) holding = true;
                if (type.equals("response.output_item.done")) {
                    item(item).ifPresent(call -> {
                        holding = true;
                        calls.put("r" + node.path("output_index").asInt(calls.size()), new String[] {call.name(), call.argumentsJson()});
                    });
                }
                boolean end = type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed")
                        || type.equals("response.done");
                if (end && calls.isEmpty()) {
                    node.path("response").path("output").forEach(o -> item(o).ifPresent(call -> {
                        holding = true;
                        calls.put("r" + calls.size(), new String[] {call.name(), call.argumentsJson()});
                    }));
                }
                return end;
            }
            case GEMINI -> {
                whole.addAll(gemini(node));
                return false;
            }
            case OLLAMA -> {
                return false;
            }
        }
        return false;
    }

    /** A Responses API output item that asks for a tool: a function, a custom tool (apply_patch) or the local shell. */
    private static Optional<ToolCall> item(JsonNode item) {
        String type = item.path("type").asString("");
        return switch (type) {
            case "function_call" -> Optional.of(new ToolCall("", item.path("name").asString(""), item.path("arguments").asString("")));
            case "custom_tool_call" -> Optional.of(new ToolCall("", item.path("name").asString(""),
                    HttpTransport.JSON.createObjectNode().put("input", item.path("input").asString("")).toString()));
            case "local_shell_call", "shell_call" -> Optional.of(new ToolCall("", "local_shell", item.path("action").toString()));
            default -> Optional.empty();
        };
    }

    private static List<ToolCall> gemini(JsonNode node) {
        List<ToolCall> found = new ArrayList<>();
        for (JsonNode candidate : node.path("candidates")) {
            for (JsonNode part : candidate.path("content").path("parts")) {
                JsonNode call = part.path("functionCall");
                if (call.isObject()) found.add(new ToolCall("", call.path("name").asString(""), call.path("args").toString()));
            }
        }
        return found;
    }

    /** Where the event starting at {@code from} ends (after its blank line), or -1 when it is not whole yet. */
    private static int eventEnd(byte[] all, int from) {
        for (int i = from; i + 1 < all.length; i++) {
            if (all[i] == '\n' && all[i + 1] == '\n') return i + 2;
            if (all[i] == '\n' && all[i + 1] == '\r' && i + 2 < all.length && all[i + 2] == '\n') return i + 3;
        }
        return -1;
    }

    private static JsonNode json(String text) {
        try {
            return HttpTransport.JSON.readTree(text);
        } catch (RuntimeException notJson) {
            return null;
        }
    }
}
