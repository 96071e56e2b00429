package dev.ensemble.gateway.wire;

import dev.ensemble.llm.http.HttpTransport;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reading a client's JSON with the path of every field at hand, so that whatever is wrong is
 * refused as a {@link BadRequest} naming it ("messages[2].content"). Absent and null read alike:
 * SDKs send explicit nulls for fields they leave unset.
 */
final class Fields {
    private Fields() {}

    static ObjectNode parse(byte[] body) {
        JsonNode root;
        try {
            root = HttpTransport.JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequest("", "the body is not valid JSON");
        }
        if (root == null || !root.isObject()) throw new BadRequest("", "the body must be a JSON object");
        return (ObjectNode) root;
    }

    static String at(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static String at(String path, int index) {
        return path + "[" + index + "]";
    }

    static boolean present(JsonNode parent, String name) {
        JsonNode node = parent.get(name);
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    /** The field, or null when absent or null. */
    static JsonNode get(JsonNode parent, String name) {
        return present(parent, name) ? parent.get(name) : null;
    }

    static String string(JsonNode parent, String name, String path) {
        JsonNode node = get(parent, name);
        if (node == null) return null;
        if (!node.isString()) throw new BadRequest(at(path, name), "must be a string");
        return node.asString();
    }

    static String requiredString(JsonNode parent, String name, String path) {
        String value = string(parent, name, path);
        if (value == null) throw new BadRequest(at(path, name), "is required");
        return value;
    }

    static JsonNode array(JsonNode parent, String name, String path) {
        JsonNode node = get(parent, name);
        if (node == null) return null;
        if (!node.isArray()) throw new BadRequest(at(path, name), "must be an array");
        return node;
    }

    static JsonNode requiredArray(JsonNode parent, String name, String path) {
        JsonNode node = array(parent, name, path);
        if (node == null) throw new BadRequest(at(path, name), "is required");
        return node;
    }

    static JsonNode object(JsonNode parent, String name, String path) {
        JsonNode node = get(parent, name);
        if (node == null) return null;
        if (!node.isObject()) throw new BadRequest(at(path, name), "must be an object");
        return node;
    }

    static void requireObject(JsonNode node, String path) {
        if (node == null || !node.isObject()) throw new BadRequest(path, "must be an object");
    }

    /** A count (max tokens): a non-negative integer; 0 when absent. */
    static int count(JsonNode parent, String name, String path) {
        JsonNode node = get(parent, name);
        if (node == null) return 0;
        if (!node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > Integer.MAX_VALUE) {
            throw new BadRequest(at(path, name), "must be a non-negative integer");
        }
        return node.asInt();
    }

    static Double number(JsonNode parent, String name, String path) {
        JsonNode node = get(parent, name);
        if (node == null) return null;
        if (!node.isNumber()) throw new BadRequest(at(path, name), "must be a number");
        return node.asDouble();
    }

    static boolean bool(JsonNode parent, String name, String path) {
        JsonNode node = get(parent, name);
        if (node == null) return false;
        if (!node.isBoolean()) throw new BadRequest(at(path, name), "must be true or false");
        return node.asBoolean();
    }

    /** A string or an array of strings (OpenAI's {@code stop}); empty when absent. */
    static List<String> strings(JsonNode parent, String name, String path) {
        JsonNode node = get(parent, name);
        if (node == null) return List.of();
        if (node.isString()) return List.of(node.asString());
        if (!node.isArray()) throw new BadRequest(at(path, name), "must be a string or an array of strings");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isString()) throw new BadRequest(at(at(path, name), i), "must be a string");
            values.add(node.get(i).asString());
        }
        return values;
    }

    /** A JSON value as text: a string as it is, anything else as JSON. */
    static String asText(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return "";
        return node.isString() ? node.asString() : node.toString();
    }

    /** Tool arguments as an object for the wires that want one; text that is not one becomes an empty object. */
    static ObjectNode argumentsObject(String json) {
        try {
            JsonNode node = HttpTransport.JSON.readTree(json);
            if (node != null && node.isObject()) return (ObjectNode) node;
        } catch (JacksonException notJson) {
            // a model's broken arguments: the client gets an empty object rather than a body it cannot parse
        }
        return HttpTransport.JSON.createObjectNode();
    }

    static ObjectNode emptySchema() {
        ObjectNode schema = HttpTransport.JSON.createObjectNode().put("type", "object");
        schema.putObject("properties");
        return schema;
    }
}
