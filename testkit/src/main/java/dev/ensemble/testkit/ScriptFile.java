package dev.ensemble.testkit;

import dev.ensemble.core.io.BoundedText;
import dev.ensemble.core.io.ParseLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A scripted server's rules in YAML, for `ensemble scripted-server --script FILE` and for pointing
 * real agent CLIs at a scripted model:
 *
 * <pre>
 * models: [qwen2.5-coder:7b]          # listed by GET /api/tags and /v1/models
 * cached_tokens: 0
 * rules:
 *   - name: write-a-file
 *     protocol: anthropic              # ollama | openai-chat | openai-responses | anthropic | gemini
 *     model: "claude.*"                # regex, found anywhere in the requested model
 *     prompt: "create .*\\.txt"         # regex over the last user message
 *     tools: true                      # the request offers tools
 *     tool_result: false               # ... and carries no tool result yet
 *     tool_call: { name: Write, arguments: { file_path: /tmp/a.txt, content: hi } }
 *   - reply: "Done."                   # text answer
 *     chunk_delay: 20ms
 *   - fault: { type: rate_limited, retry_after: 2 }   # or http_error{status}, reset, stall{duration},
 *     times: 1                                          # stall_mid_stream{after_chunks,duration}, cut{after_chunks}, malformed
 * </pre>
 */
public record ScriptFile(List<String> models, int cachedTokens, List<Rule> rules) {
    /** A rule file is held to the limits of every file ensemble parses: size, depth, number length. */
    private static final ObjectMapper YAML = ParseLimits.yaml(ParseLimits.MAX_FILE_BYTES);
    private static final Set<String> RULE_KEYS = Set.of("name", "protocol", "model", "prompt", "tools", "tool_result",
            "reply", "tool_call", "fault", "chunk_delay", "times");
    private static final Set<String> PROTOCOLS = Set.of("ollama", "openai-chat", "openai-responses", "anthropic", "gemini");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");

    public ScriptFile {
        models = List.copyOf(models);
        rules = List.copyOf(rules);
    }

    /** Applies the script to a running server (after any rules it already has). */
    public void applyTo(ScriptedModelServer server) {
        server.localModels(models).cachedTokens(cachedTokens).rules(rules);
    }

    public static ScriptFile load(Path file) {
        String text;
        try {
            text = BoundedText.read(file, ParseLimits.MAX_FILE_BYTES);
        } catch (BoundedText.InputLimitException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    public static ScriptFile parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            String line = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? "" : ":" + e.getLocation().getLineNr();
            throw new IllegalArgumentException(source + line + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) return new ScriptFile(List.of(), 0, List.of());
        if (!root.isObject()) throw new IllegalArgumentException(source + ": expected a mapping with models, cached_tokens and rules");
        for (String key : root.propertyNames()) {
            if (!Set.of("models", "cached_tokens", "rules").contains(key)) {
                throw new IllegalArgumentException(source + ": " + key + ": unknown key (expected models, cached_tokens, rules)");
            }
        }
        List<String> models = new ArrayList<>();
        for (JsonNode model : root.path("models")) models.add(model.asString());
        List<Rule> rules = new ArrayList<>();
        int index = 0;
        for (JsonNode node : root.path("rules")) {
            rules.add(rule(node, source + ": rules[" + index++ + "]"));
        }
        return new ScriptFile(models, root.path("cached_tokens").asInt(0), rules);
    }

    private static Rule rule(JsonNode node, String where) {
        if (!node.isObject()) throw new IllegalArgumentException(where + ": expected a mapping");
        for (String key : node.propertyNames()) {
            if (!RULE_KEYS.contains(key)) throw new IllegalArgumentException(where + "." + key + ": unknown key (expected one of " + RULE_KEYS + ")");
        }
        String protocol = node.has("protocol") ? node.get("protocol").asString() : null;
        if (protocol != null && !PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException(where + ".protocol: '" + protocol + "' is not one of " + PROTOCOLS);
        }
        Reply reply = null;
        if (node.has("reply") && node.has("tool_call")) throw new IllegalArgumentException(where + ": give either reply or tool_call, not both");
        if (node.has("reply")) reply = Reply.text(node.get("reply").asString());
        if (node.has("tool_call")) {
            JsonNode call = node.get("tool_call");
            if (!call.path("name").isString()) throw new IllegalArgumentException(where + ".tool_call.name: expected the tool's name");
            JsonNode args = call.path("arguments");
            reply = Reply.toolCall(call.get("name").asString(), args.isMissingNode() ? "{}" : ScriptedModelServer.JSON.writeValueAsString(args));
        }
        Fault fault = node.has("fault") ? fault(node.get("fault"), where + ".fault") : null;
        if (reply == null && fault == null) throw new IllegalArgumentException(where + ": a rule needs reply, tool_call or fault");
        return new Rule(node.path("name").asString(""), protocol, regex(node, "model", where), regex(node, "prompt", where),
                node.has("tools") ? node.get("tools").asBoolean() : null,
                node.has("tool_result") ? node.get("tool_result").asBoolean() : null,
                reply, fault, node.has("chunk_delay") ? duration(node.get("chunk_delay").asString(), where + ".chunk_delay") : null,
                node.path("times").asInt(0));
    }

    private static Pattern regex(JsonNode node, String key, String where) {
        if (!node.has(key)) return null;
        try {
            return Pattern.compile(node.get(key).asString(), Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + "." + key + ": not a valid regular expression: " + e.getDescription());
        }
    }

    private static Fault fault(JsonNode node, String where) {
        String type = node.isString() ? node.asString() : node.path("type").asString("");
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "rate_limited" -> new Fault.RateLimited(node.path("retry_after").asInt(1));
            case "http_error" -> new Fault.HttpError(node.path("status").asInt(500));
            case "reset" -> new Fault.Reset();
            case "stall" -> new Fault.Stall(duration(node.path("duration").asString("30s"), where + ".duration"));
            case "stall_mid_stream" -> new Fault.StallMidStream(node.path("after_chunks").asInt(2),
                    duration(node.path("duration").asString("30s"), where + ".duration"));
            case "cut" -> new Fault.Cut(node.path("after_chunks").asInt(2));
            case "malformed" -> new Fault.Malformed();
            default -> throw new IllegalArgumentException(where + ".type: '" + type
                    + "' is not one of rate_limited, http_error, reset, stall, stall_mid_stream, cut, malformed");
        };
    }

    static Duration duration(String text, String where) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException(where + ": expected a duration such as 500ms, 2s or 1m, got '" + text + "'");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }
}
