package dev.ensemble.core.config;

import tools.jackson.databind.JsonNode;

/** How a found value is quoted in an error message: briefly, and never a secret. */
final class Describe {
    private static final int MAX = 60;

    private Describe() {
    }

    static String value(JsonNode node, KeyPath path) {
        if (node == null || node.isMissingNode() || node.isNull()) return "nothing";
        if (node.isString()) {
            String text = node.asString();
            if (RawSecrets.isSecretField(path) && !RawSecrets.isReference(text)) {
                return "a raw value (not shown: keys must never be written into config)";
            }
            if (RawSecrets.looksLikeKey(text)) return "a value that looks like a key (not shown)";
            if (text.length() > MAX) text = text.substring(0, MAX) + "…";
            return "\"" + text + "\"";
        }
        if (node.isBoolean() || node.isNumber()) return node.toString();
        if (node.isObject()) return "a mapping";
        if (node.isArray()) return node.isEmpty() ? "an empty list" : "a list";
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
}
