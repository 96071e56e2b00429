package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import tools.jackson.databind.JsonNode;

/**
 * What a real provider would insist on in a request that carries a tool's result, per wire: the
 * model's earlier call of {@code tool} is there with the arguments it was given, and the very next
 * turn answers that call (by its id where the wire has ids, by its name where it has none).
 * Providers reject a request whose result is not paired with its call; the scripted server does
 * not, so a test that sends a translated conversation upstream checks it here.
 */
final class ToolRoundTrip {
    private ToolRoundTrip() {}

    static void assertPaired(String wire, JsonNode body, String tool, JsonNode arguments) {
        switch (wire) {
            case "openai-chat" -> chat(body.path("messages"), tool, arguments);
            case "anthropic" -> anthropic(body.path("messages"), tool, arguments);
            case "ollama" -> ollama(body.path("messages"), tool, arguments);
            case "gemini" -> gemini(body.path("contents"), tool, arguments);
            default -> throw new IllegalArgumentException("no round-trip check for " + wire);
        }
    }

    private static void chat(JsonNode messages, String tool, JsonNode arguments) {
        for (int i = 0; i < messages.size(); i++) {
            for (JsonNode call : messages.get(i).path("tool_calls")) {
                if (!call.path("function").path("name").asString().equals(tool)) continue;
                assertThat(json(call.path("function").path("arguments").asString())).as("the call's arguments").isEqualTo(arguments);
                String id = call.path("id").asString();
                assertThat(id).as("the call's id").isNotBlank();
                // OpenAI: the tool messages answering an assistant's calls follow it directly.
                boolean answered = false;
                for (int j = i + 1; j < messages.size() && messages.get(j).path("role").asString().equals("tool"); j++) {
                    answered |= messages.get(j).path("tool_call_id").asString().equals(id);
                }
                assertThat(answered).as("a tool message right after the call answers " + id + " in " + messages).isTrue();
                return;
            }
        }
        throw new AssertionError("no assistant tool_calls of " + tool + " in " + messages);
    }

    private static void anthropic(JsonNode messages, String tool, JsonNode arguments) {
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).path("role").asString().equals("assistant")) continue;
            for (JsonNode block : messages.get(i).path("content")) {
                if (!block.path("type").asString().equals("tool_use") || !block.path("name").asString().equals(tool)) continue;
                assertThat(block.path("input")).as("the call's input").isEqualTo(arguments);
                String id = block.path("id").asString();
                // Anthropic: the next message is the user's, and it opens with the tool_result blocks.
                assertThat(i + 1).as("a message after the call in " + messages).isLessThan(messages.size());
                JsonNode next = messages.get(i + 1);
                assertThat(next.path("role").asString()).isEqualTo("user");
                JsonNode first = next.path("content").path(0);
                assertThat(first.path("type").asString()).as("the first block after the call, in " + next).isEqualTo("tool_result");
                boolean answered = false;
                for (JsonNode result : next.path("content")) {
                    answered |= result.path("type").asString().equals("tool_result") && result.path("tool_use_id").asString().equals(id);
                }
                assertThat(answered).as("a tool_result answers " + id + " in " + next).isTrue();
                return;
            }
        }
        throw new AssertionError("no assistant tool_use of " + tool + " in " + messages);
    }

    private static void ollama(JsonNode messages, String tool, JsonNode arguments) {
        for (int i = 0; i < messages.size(); i++) {
            for (JsonNode call : messages.get(i).path("tool_calls")) {
                if (!call.path("function").path("name").asString().equals(tool)) continue;
                JsonNode given = call.path("function").path("arguments");
                assertThat(given.isString() ? json(given.asString()) : given).as("the call's arguments").isEqualTo(arguments);
                assertThat(i + 1).as("a message after the call in " + messages).isLessThan(messages.size());
                assertThat(messages.get(i + 1).path("role").asString()).as("the turn after the call").isEqualTo("tool");
                return;
            }
        }
        throw new AssertionError("no assistant tool_calls of " + tool + " in " + messages);
    }

    private static void gemini(JsonNode contents, String tool, JsonNode arguments) {
        for (int i = 0; i < contents.size(); i++) {
            if (!contents.get(i).path("role").asString().equals("model")) continue;
            for (JsonNode part : contents.get(i).path("parts")) {
                if (!part.path("functionCall").path("name").asString().equals(tool)) continue;
                assertThat(part.path("functionCall").path("args")).as("the call's args").isEqualTo(arguments);
                // Gemini: the next turn holds a functionResponse of the same name.
                assertThat(i + 1).as("a turn after the call in " + contents).isLessThan(contents.size());
                boolean answered = false;
                for (JsonNode response : contents.get(i + 1).path("parts")) {
                    answered |= response.path("functionResponse").path("name").asString().equals(tool);
                }
                assertThat(answered).as("a functionResponse of " + tool + " in " + contents.get(i + 1)).isTrue();
                return;
            }
        }
        throw new AssertionError("no model functionCall of " + tool + " in " + contents);
    }

    private static JsonNode json(String text) {
        return HttpTransport.JSON.readTree(text);
    }
}
