package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.core.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * aider's plain output with {@code --no-pretty}: the model's answer as text, {@code Applied edit
 * to <file>} for each edit, and after each model call a line like
 * {@code Tokens: 2.3k sent, 1.1k cache hit, 120 received. Cost: $0.01 message, $0.02 session.}
 * aider has no session id and no final event: the run is complete when it exits 0, unless it
 * printed a provider error (litellm's exceptions, which it reports and then exits 0 on).
 */
final class AiderOutputParser implements OutputParser {
    private static final Pattern TOKENS = Pattern.compile("^Tokens: (.+?)\\.(?:\\s+Cost: \\$([0-9.]+) message.*)?$");
    private static final Pattern COUNT = Pattern.compile("([0-9][0-9,.]*)([kKmM]?) (sent|received|cache hit|cache write)");
    private static final Pattern EDIT = Pattern.compile("^Applied edit to (.+)$");
    private static final Pattern HEADER = Pattern.compile(
            "^(Aider v|Model:|Main model:|Weak model:|Editor model:|Git repo:|Repo-map:|Added .+ to the chat|Use /help|Cur working dir:).*");
    private static final Pattern ERROR = Pattern.compile("^(litellm\\.\\w+(Error|Exception)|\\w*APIError|Error:).*");

    private final RunSummary summary = new RunSummary();
    private final List<String> block = new ArrayList<>();
    private boolean any;

    @Override
    public List<AgentEvent> accept(String line, Instant at) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            if (!block.isEmpty()) block.add("");
            return List.of();
        }
        any = true;
        summary.parsed();
        Matcher tokens = TOKENS.matcher(trimmed);
        if (tokens.matches()) {
            summary.addUsage(usage(tokens.group(1)));
            if (tokens.group(2) != null) summary.addCost(Double.parseDouble(tokens.group(2)));
            if (!block.isEmpty()) summary.finalMessage(String.join("\n", block).strip());
            block.clear();
            return List.of();
        }
        Matcher edit = EDIT.matcher(trimmed);
        if (edit.matches()) return List.of(new AgentEvent.ToolUse(at, "edit", edit.group(1)));
        if (ERROR.matcher(trimmed).matches()) {
            summary.error(trimmed);
            return List.of(new AgentEvent.Error(at, trimmed));
        }
        if (HEADER.matcher(trimmed).matches()) return List.of(new AgentEvent.Raw(at, line));
        block.add(line);
        return List.of(new AgentEvent.Message(at, line));
    }

    @Override
    public List<AgentEvent> finish(Instant at) {
        if (!block.isEmpty() && summary.finalMessage().isEmpty()) summary.finalMessage(String.join("\n", block).strip());
        summary.finished(any);
        return List.of();
    }

    @Override
    public RunSummary summary() {
        return summary;
    }

    /** "2.3k sent, 1.1k cache hit, 120 received": aider's sent count includes cache hits. */
    static Usage usage(String counts) {
        long sent = 0, received = 0, cached = 0;
        Matcher m = COUNT.matcher(counts);
        while (m.find()) {
            long value = scaled(m.group(1), m.group(2));
            switch (m.group(3)) {
                case "sent" -> sent = value;
                case "received" -> received = value;
                case "cache hit" -> cached = value;
                default -> { }
            }
        }
        return new Usage(Math.max(sent, cached), received, cached);
    }

    private static long scaled(String number, String suffix) {
        double value = Double.parseDouble(number.replace(",", ""));
        return Math.round(switch (suffix.toLowerCase(Locale.ROOT)) {
            case "k" -> value * 1_000;
            case "m" -> value * 1_000_000;
            default -> value;
        });
    }
}
