package dev.ensemble.testkit;

import static dev.ensemble.testkit.DialectSupport.id;
import static dev.ensemble.testkit.DialectSupport.pieces;
import static dev.ensemble.testkit.DialectSupport.sse;
import static dev.ensemble.testkit.DialectSupport.text;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI Chat Completions, {@code POST /v1/chat/completions} (also under any prefix, as vLLM,
 * DeepSeek and OpenRouter serve it). Streams are {@code data:} chunks ending in {@code [DONE]},
 * with a usage-only chunk first when {@code stream_options.include_usage} is set.
 */
final class OpenAiChatDialect implements Dialect {

    @Override public String protocol() { return "openai-chat"; }

    @Override public boolean handles(String path) { return path.endsWith("/chat/completions"); }

    @Override
    public ParsedRequest parse(String path, String query, JsonNode body) {
        String lastUser = "";
        boolean toolResult = false;
        StringBuilder input = new StringBuilder();
        for (JsonNode message : body.path("messages")) {
            String role = message.path("role").asString("");
            String content = content(message.path("content"));
            input.append(content).append('\n');
            if (role.equals("user")) lastUser = content;
            if (role.equals("tool")) toolResult = true;
        }
        List<String> tools = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) tools.add(tool.path("function").path("name").asString(""));
        return new ParsedRequest(protocol(), body.path("model").asString(""), body.path("stream").asBoolean(false),
                lastUser, !tools.isEmpty(), toolResult, tools, input.toString(), body);
    }

    private static String content(JsonNode content) {
        if (!content.isArray()) return text(content);
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) out.append(part.path("text").asString(""));
        return out.toString();
    }

    @Override
    public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        String id = id("chatcmpl-");
        long created = System.currentTimeMillis() / 1000;
        String model = request.model();
        if (!request.stream()) {
            ObjectNode body = ScriptedModelServer.JSON.createObjectNode();
            body.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            switch (reply) {
                case Reply.Text t -> {
                    message.put("content", t.text());
                    choice.put("finish_reason", "stop");
                }
                case Reply.ToolCall c -> {
                    message.putNull("content");
                    ObjectNode call = message.putArray("tool_calls").addObject();
                    call.put("id", id("call_")).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
                    choice.put("finish_reason", "tool_calls");
                }
            }
            body.set("usage", usage(tokens));
            return Answer.json(ScriptedModelServer.JSON.writeValueAsString(body));
        }
        List<String> chunks = new ArrayList<>();
        ObjectNode first = chunk(id, created, model);
        first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                .putObject("delta").put("role", "assistant").put("content", "");
        chunks.add(sse(first));
        String finish;
        switch (reply) {
            case Reply.Text t -> {
                for (String piece : pieces(t.text())) {
                    ObjectNode c = chunk(id, created, model);
                    c.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                            .putObject("delta").put("content", piece);
                    chunks.add(sse(c));
                }
                finish = "stop";
            }
            case Reply.ToolCall call -> {
                ObjectNode start = chunk(id, created, model);
                ObjectNode callNode = start.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").putArray("tool_calls").addObject();
                callNode.put("index", 0).put("id", id("call_")).put("type", "function");
                callNode.putObject("function").put("name", call.name()).put("arguments", "");
                chunks.add(sse(start));
                String args = call.argumentsJson();
                int half = args.length() / 2;
                for (String part : new String[] {args.substring(0, half), args.substring(half)}) {
                    ObjectNode c = chunk(id, created, model);
                    ObjectNode delta = c.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                            .putObject("delta").putArray("tool_calls").addObject();
                    delta.put("index", 0).putObject("function").put("arguments", part);
                    chunks.add(sse(c));
                }
                finish = "tool_calls";
            }
        }
        ObjectNode last = chunk(id, created, model);
        last.withArray("choices").addObject().put("index", 0).put("finish_reason", finish).putObject("delta");
        chunks.add(sse(last));
        if (request.body().path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode usage = chunk(id, created, model);
            usage.putArray("choices");
            usage.set("usage", usage(tokens));
            chunks.add(sse(usage));
        }
        chunks.add("data: [DONE]\n\n");
        return new Answer(200, "text/event-stream", chunks);
    }

    private static ObjectNode chunk(String id, long created, String model) {
        ObjectNode c = ScriptedModelServer.JSON.createObjectNode();
        c.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        return c;
    }

    private static ObjectNode usage(TokenCount tokens) {
        ObjectNode usage = ScriptedModelServer.JSON.createObjectNode();
        usage.put("prompt_tokens", tokens.input()).put("completion_tokens", tokens.output())
                .put("total_tokens", tokens.input() + tokens.output());
        usage.putObject("prompt_tokens_details").put("cached_tokens", tokens.cached());
        return usage;
    }

    @Override
    public String errorBody(int status, String message) {
        ObjectNode body = ScriptedModelServer.JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", status == 429 ? "rate_limit_exceeded" : "server_error")
                .put("code", status);
        return ScriptedModelServer.JSON.writeValueAsString(body);
    }
}
