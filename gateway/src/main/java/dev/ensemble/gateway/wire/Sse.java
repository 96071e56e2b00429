package dev.ensemble.gateway.wire;

import dev.ensemble.llm.http.HttpTransport;
import java.security.SecureRandom;
import tools.jackson.databind.JsonNode;

/** Server-sent event frames and the ids the wires put in answers. */
final class Sse {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private Sse() {}

    /** {@code data: <json>} and a blank line. */
    static String data(JsonNode json) {
        return "data: " + HttpTransport.JSON.writeValueAsString(json) + "\n\n";
    }

    /** {@code event: <name>}, {@code data: <json>} and a blank line. */
    static String event(String name, JsonNode json) {
        return "event: " + name + "\n" + data(json);
    }

    static byte[] bytes(JsonNode json) {
        return HttpTransport.JSON.writeValueAsBytes(json);
    }

    /** A prefix and 24 random letters and digits: "chatcmpl-…", "msg_…", "toolu_…". */
    static String id(String prefix) {
        char[] chars = new char[24];
        for (int i = 0; i < chars.length; i++) chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        return prefix + new String(chars);
    }

    /** The call's id, or a new one with this prefix for a call that came without one. */
    static String callId(String id, String prefix) {
        return id == null || id.isEmpty() ? id(prefix) : id;
    }
}
