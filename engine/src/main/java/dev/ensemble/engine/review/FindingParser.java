package dev.ensemble.engine.review;

import dev.ensemble.core.AnswerJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the findings out of a model's answer, tolerantly: the JSON array may be the whole answer,
 * inside a code fence, or surrounded by prose; an object with a {@code findings} array, or a single
 * finding object, is accepted too, as are the usual other names for fields ({@code path},
 * {@code issue}, {@code fix}...) and severities ({@code major}, {@code blocker}...). A finding about
 * a file the diff does not touch is dropped, and said so: a model cannot have seen that file.
 */
public final class FindingParser {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern RANGE = Pattern.compile("^\\s*L?(\\d+)\\s*(?:[-–:]\\s*L?(\\d+))?\\s*$");

    private FindingParser() {}

    /**
     * @param model the model that answered (named in each finding and in every dropped line)
     * @param files the paths of the diff, the only files a finding may name
     */
    public static ParsedAnswer parse(String answer, String model, Set<String> files) {
        if (answer == null || answer.isBlank()) return new ParsedAnswer.Malformed("the answer was empty");
        Optional<JsonNode> root = json(answer);
        if (root.isEmpty()) return new ParsedAnswer.Malformed("the answer holds no JSON array of findings");
        JsonNode node = root.get();
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else if (node.isObject() && node.path("findings").isArray()) {
            node.path("findings").forEach(items::add);
        } else if (node.isObject() && (node.has("severity") || node.has("description"))) {
            items.add(node);
        } else {
            return new ParsedAnswer.Malformed("expected a JSON array of findings, got " + kind(node));
        }
        List<Finding> findings = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (JsonNode item : items) {
            if (!item.isObject()) {
                dropped.add(model + ": an entry that is not an object: " + shorten(item.toString()));
                continue;
            }
            String rawFile = text(item, "file", "path", "filename", "file_path");
            String description = text(item, "description", "issue", "message", "problem", "title", "summary");
            if (description.isBlank()) {
                dropped.add(model + ": a finding without a description" + (rawFile.isBlank() ? "" : " at " + rawFile));
                continue;
            }
            String severityText = text(item, "severity", "level", "priority");
            Optional<Severity> severity = Severity.parse(severityText);
            if (severity.isEmpty()) {
                dropped.add(model + ": unknown severity '" + shorten(severityText) + "' for \"" + shorten(description) + "\"");
                continue;
            }
            Optional<String> file = matchFile(rawFile, files);
            if (file.isEmpty()) {
                dropped.add(model + ": " + (rawFile.isBlank() ? "no file" : rawFile) + " is not in the diff (\"" + shorten(description) + "\")");
                continue;
            }
            int[] lines = lines(item);
            findings.add(new Finding(severity.get(), file.get(), lines[0], lines[1], description,
                    text(item, "recommendation", "fix", "suggestion", "remedy", "recommendations"), List.of(model)));
        }
        return new ParsedAnswer.Findings(findings, dropped);
    }

    /** The first candidate that parses: the whole answer, each fenced block, the outermost brackets, the outermost braces. */
    private static Optional<JsonNode> json(String answer) {
        List<String> candidates = new ArrayList<>();
        candidates.add(answer.strip());
        candidates.addAll(AnswerJson.fencedBlocks(answer));
        AnswerJson.outermost(answer, '[', ']').ifPresent(candidates::add);
        AnswerJson.outermost(answer, '{', '}').ifPresent(candidates::add);
        for (String candidate : candidates) {
            if (!candidate.startsWith("[") && !candidate.startsWith("{")) continue;
            try {
                return Optional.of(JSON.readTree(candidate));
            } catch (JacksonException e) {
                // The next candidate may parse.
            }
        }
        // Prose with brackets of its own after the array ("Verdict: [approve]"): the first array
        // that parses on its own, reading one value and ignoring what follows.
        int tries = 0;
        for (int at = answer.indexOf('['); at >= 0 && tries < 20; at = answer.indexOf('[', at + 1), tries++) {
            try (JsonParser parser = JSON.createParser(answer.substring(at))) {
                JsonNode node = JSON.readTree(parser);
                if (node != null && node.isArray()) return Optional.of(node);
            } catch (JacksonException e) {
                // Not an array here; try the next bracket.
            }
        }
        return Optional.empty();
    }

    /**
     * The diff path a model meant: as given, without a leading "./", "a/" or "b/", or the one diff
     * path it is a unique suffix of ("Foo.java" for "src/Foo.java").
     */
    static Optional<String> matchFile(String raw, Set<String> files) {
        if (raw == null || raw.isBlank()) return Optional.empty();
        String p = raw.strip().replace('\\', '/');
        if (files.contains(p)) return Optional.of(p);
        while (p.startsWith("./")) p = p.substring(2);
        if (files.contains(p)) return Optional.of(p);
        if ((p.startsWith("a/") || p.startsWith("b/")) && files.contains(p.substring(2))) return Optional.of(p.substring(2));
        String suffix = p.startsWith("/") ? p : "/" + p;
        List<String> matches = files.stream().filter(f -> f.endsWith(suffix)).toList();
        return matches.size() == 1 ? Optional.of(matches.getFirst()) : Optional.empty();
    }

    /** [line, end line]: numbers or numeric text, "12-14" ranges; 0 where none is given. */
    private static int[] lines(JsonNode item) {
        int[] start = number(first(item, "line", "start_line", "line_start", "lines"));
        int[] end = number(first(item, "end_line", "line_end", "endLine"));
        int line = start[0];
        int endLine = end[0] > 0 ? end[0] : start[1];
        return new int[] {line, Math.max(line, endLine)};
    }

    private static int[] number(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return new int[] {0, 0};
        if (node.isNumber()) return new int[] {node.asInt(), node.asInt()};
        if (node.isArray() && !node.isEmpty()) {
            int a = number(node.get(0))[0];
            return new int[] {a, number(node.get(node.size() - 1))[0]};
        }
        if (node.isString()) {
            Matcher m = RANGE.matcher(node.asString());
            if (m.matches()) {
                int a = Integer.parseInt(m.group(1));
                return new int[] {a, m.group(2) == null ? a : Integer.parseInt(m.group(2))};
            }
        }
        return new int[] {0, 0};
    }

    private static JsonNode first(JsonNode item, String... names) {
        for (String name : names) {
            JsonNode value = item.get(name);
            if (value != null && !value.isNull()) return value;
        }
        return null;
    }

    private static String text(JsonNode item, String... names) {
        JsonNode value = first(item, names);
        if (value == null) return "";
        if (value.isString()) return value.asString().strip();
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            value.forEach(v -> parts.add(v.isString() ? v.asString().strip() : v.toString()));
            return String.join(" ", parts);
        }
        return value.toString();
    }

    private static String kind(JsonNode node) {
        return node.isObject() ? "an object without \"findings\"" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String shorten(String s) {
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() > 80 ? flat.substring(0, 80) + "…" : flat;
    }
}
