package dev.ensemble.engine.converse;

import dev.ensemble.core.AnswerJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the synthesizer's reply. It was asked for one JSON object ({@code agree}, {@code differ},
 * {@code final}, {@code confidence}), but models wrap JSON in prose or code fences, rename keys,
 * leave trailing commas and give confidence as "85%" or "high"; all of that is accepted. A reply
 * with no such object is kept whole as the final answer, marked unstructured.
 */
final class SynthesisParser {
    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_PROPERTY_NAMES, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS, JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
            .build();
    private static final List<String> AGREE = List.of("agree", "agreements", "agreement", "agreed", "consensus");
    private static final List<String> DIFFER = List.of("differ", "differences", "difference", "disagree", "disagreements");
    private static final List<String> FINAL = List.of("final", "final_answer", "finalanswer", "answer", "conclusion");
    private static final List<String> CONFIDENCE = List.of("confidence", "confidence_score");

    /** The reply's content; {@code structured} false means {@code finalAnswer} is the raw reply. */
    record Content(List<String> agreements, List<String> differences, String finalAnswer, OptionalDouble confidence,
                   String confidenceText, boolean structured) {}

    private SynthesisParser() {}

    static Content parse(String reply) {
        String text = reply == null ? "" : reply.strip();
        List<String> candidates = new ArrayList<>(AnswerJson.fencedBlocks(text));
        AnswerJson.outermost(text, '{', '}').ifPresent(candidates::add);
        for (String candidate : candidates) {
            JsonNode node = read(candidate);
            if (node != null && node.isObject() && hasAnyKey(node)) return content(node);
        }
        return new Content(List.of(), List.of(), text, OptionalDouble.empty(), "", false);
    }

    private static JsonNode read(String candidate) {
        try {
            return LENIENT.readTree(candidate.strip());
        } catch (JacksonException e) {
            return null;
        }
    }

    private static boolean hasAnyKey(JsonNode node) {
        return field(node, AGREE) != null || field(node, DIFFER) != null || field(node, FINAL) != null || field(node, CONFIDENCE) != null;
    }

    private static Content content(JsonNode node) {
        JsonNode fin = field(node, FINAL);
        String finalAnswer = fin == null || fin.isNull() ? "" : fin.isString() ? fin.asString().strip() : fin.toString();
        JsonNode conf = field(node, CONFIDENCE);
        OptionalDouble confidence = OptionalDouble.empty();
        String confidenceText = "";
        if (conf != null && !conf.isNull()) {
            confidence = conf.isNumber() ? normalise(conf.asDouble()) : number(conf.asString());
            if (confidence.isEmpty()) confidenceText = conf.isString() ? conf.asString().strip() : conf.toString();
        }
        return new Content(items(field(node, AGREE)), items(field(node, DIFFER)), finalAnswer, confidence, confidenceText, true);
    }

    /** The first of {@code names} present, matched without regard to case, spaces or hyphens. */
    private static JsonNode field(JsonNode node, List<String> names) {
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = entry.getKey().strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
            if (names.contains(key)) return entry.getValue();
        }
        return null;
    }

    private static List<String> items(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        List<String> items = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode item : node) {
                String text = item.isString() ? item.asString().strip() : item.isNull() ? "" : item.toString();
                if (!text.isEmpty()) items.add(text);
            }
        } else {
            String text = node.isString() ? node.asString().strip() : node.toString();
            if (!text.isEmpty()) items.add(text);
        }
        return items;
    }

    /** "0.8", "80%", "80" → 0.8; anything else (e.g. "high") is no number. */
    private static OptionalDouble number(String text) {
        String t = text.strip();
        boolean percent = t.endsWith("%");
        if (percent) t = t.substring(0, t.length() - 1).strip();
        try {
            double value = Double.parseDouble(t);
            return percent ? inRange(value / 100) : normalise(value);
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    /** A probability as given, or a percentage (1 to 100) scaled down; out of range is no number. */
    private static OptionalDouble normalise(double value) {
        return value > 1 && value <= 100 ? inRange(value / 100) : inRange(value);
    }

    private static OptionalDouble inRange(double value) {
        return Double.isFinite(value) && value >= 0 && value <= 1 ? OptionalDouble.of(value) : OptionalDouble.empty();
    }
}
