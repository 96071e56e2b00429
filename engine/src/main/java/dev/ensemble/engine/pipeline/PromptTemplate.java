package dev.ensemble.engine.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A step's prompt with its placeholders:
 * <ul>
 *   <li>{@code {input}} the user's description of the work;</li>
 *   <li>{@code {previous}} the output of the step just before (not in the first step);</li>
 *   <li>{@code {steps.NAME}} the output of the earlier step called NAME;</li>
 *   <li>{@code {outputs}} every earlier step's output, each under its name.</li>
 * </ul>
 * So that every step knows the request and each step's output feeds the next whatever the prompt
 * says, a prompt without {@code {input}} gets the request put before it, and one that uses no
 * earlier output gets the previous step's output put after it. Braces that do not form
 * {@code {word}} or {@code {word.name}} (JSON, code) are left as written.
 */
public final class PromptTemplate {
    public static final List<String> PLACEHOLDERS = List.of("{input}", "{previous}", "{steps.NAME}", "{outputs}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_]+)(?:\\.([A-Za-z0-9_-]+))?}");

    private PromptTemplate() {
    }

    /**
     * What is wrong with {@code template} for a step that comes after {@code earlier} (in order),
     * as messages; empty when it is fine.
     */
    static List<String> problems(String template, List<String> earlier) {
        List<String> problems = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            String word = m.group(1);
            String name = m.group(2);
            switch (word) {
                case "input", "outputs" -> {
                    if (name != null) problems.add("unknown placeholder " + m.group() + " (placeholders: " + String.join(", ", PLACEHOLDERS) + ")");
                }
                case "previous" -> {
                    if (name != null) problems.add("unknown placeholder " + m.group() + " (placeholders: " + String.join(", ", PLACEHOLDERS) + ")");
                    else if (earlier.isEmpty()) problems.add("{previous} in the first step, which has no previous step; use {input}");
                }
                case "steps" -> {
                    if (name == null) problems.add("{steps} needs a step name: {steps.NAME}");
                    else if (!earlier.contains(name)) {
                        problems.add("{steps." + name + "} names no earlier step ("
                                + (earlier.isEmpty() ? "this is the first step" : "earlier steps: " + String.join(", ", earlier)) + ")");
                    }
                }
                default -> problems.add("unknown placeholder " + m.group() + " (placeholders: " + String.join(", ", PLACEHOLDERS) + ")");
            }
        }
        return problems;
    }

    /**
     * The prompt to send.
     *
     * @param outputs the earlier steps' outputs by name, in order
     */
    static String render(String template, String input, SequencedMap<String, String> outputs) {
        boolean usesInput = false;
        boolean usesOutput = false;
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String word = m.group(1);
            String name = m.group(2);
            Optional<String> value = switch (word) {
                case "input" -> name == null ? Optional.of(input) : Optional.empty();
                case "previous" -> name == null && !outputs.isEmpty() ? Optional.of(outputs.lastEntry().getValue()) : Optional.empty();
                case "outputs" -> name == null ? Optional.of(all(outputs)) : Optional.empty();
                case "steps" -> Optional.ofNullable(name == null ? null : outputs.get(name));
                default -> Optional.empty();
            };
            usesInput |= word.equals("input") && value.isPresent();
            usesOutput |= !word.equals("input") && value.isPresent();
            m.appendReplacement(out, Matcher.quoteReplacement(value.orElse(m.group())));
        }
        m.appendTail(out);
        List<String> parts = new ArrayList<>();
        if (!usesInput) parts.add("Request: " + input);
        if (!out.isEmpty()) parts.add(out.toString());
        if (!usesOutput && !outputs.isEmpty()) {
            var previous = outputs.lastEntry();
            parts.add("The previous step (" + previous.getKey() + ") answered:\n" + previous.getValue());
        }
        return String.join("\n\n", parts);
    }

    private static String all(SequencedMap<String, String> outputs) {
        StringBuilder out = new StringBuilder();
        outputs.forEach((name, text) -> out.append("## ").append(name).append("\n").append(text.strip()).append("\n\n"));
        return out.toString().strip();
    }
}
