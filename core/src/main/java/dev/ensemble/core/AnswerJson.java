package dev.ensemble.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the JSON is in a model's answer. Asked for JSON, models still wrap it in a code fence or
 * in prose; every parser of model answers (plans, review verdicts, findings, syntheses) looks in
 * the same places.
 */
public final class AnswerJson {
    private static final Pattern FENCE = Pattern.compile("```[a-zA-Z]*[ \\t]*\\R(.*?)```", Pattern.DOTALL);

    private AnswerJson() {}

    /** The bodies of the answer's fenced code blocks, in order, stripped. */
    public static List<String> fencedBlocks(String answer) {
        List<String> blocks = new ArrayList<>();
        Matcher fence = FENCE.matcher(answer);
        while (fence.find()) blocks.add(fence.group(1).strip());
        return blocks;
    }

    /** From the first {@code open} to the last {@code close}, when both are there in that order. */
    public static Optional<String> outermost(String answer, char open, char close) {
        int from = answer.indexOf(open);
        int to = answer.lastIndexOf(close);
        return from >= 0 && to > from ? Optional.of(answer.substring(from, to + 1)) : Optional.empty();
    }

    /** The JSON object text of an answer: the whole of it, a fenced block holding an object, or its outermost braces. */
    public static Optional<String> objectText(String answer) {
        String trimmed = answer.strip();
        if (trimmed.startsWith("{")) return Optional.of(trimmed);
        for (String block : fencedBlocks(answer)) {
            if (block.startsWith("{")) return Optional.of(block);
        }
        return outermost(answer, '{', '}');
    }
}
