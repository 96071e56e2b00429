package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The floor under the learned classifier: words and phrases that, on their own, say what kind of
 * work a task is. Kept short and unambiguous on purpose (no "check", "find" or "plan" alone, which
 * appear in every kind); the learned model handles the rest.
 */
public final class KeywordRules {
    private static final Map<TaskKind, Set<String>> WORDS = Map.of(
            TaskKind.PLANNING, Set.of("plan", "roadmap", "milestones", "milestone", "architecture", "design", "breakdown",
                    "decompose", "strategy", "approach", "phases", "rfc", "proposal", "outline", "prioritize", "estimate"),
            TaskKind.CODING, Set.of("implement", "fix", "refactor", "write", "add", "rename", "bug", "compile", "function",
                    "endpoint", "migrate", "port", "optimize", "code", "build", "patch", "unit", "create", "update", "remove", "delete"),
            TaskKind.REVIEW, Set.of("review", "audit", "critique", "diff", "pr", "approve", "feedback", "lgtm", "vulnerabilities",
                    "smells", "nitpick", "assess", "verify"),
            TaskKind.SEARCH, Set.of("search", "find", "where", "which", "locate", "lookup", "documentation", "docs", "grep",
                    "explain", "what", "who", "list", "summarize", "latest"));
    private static final Map<TaskKind, Set<String>> PHRASES = Map.of(
            TaskKind.PLANNING, Set.of("step by step plan", "break down", "how should we", "what order", "high level design"),
            TaskKind.CODING, Set.of("write a", "add a", "make it", "unit test", "stack trace"),
            TaskKind.REVIEW, Set.of("pull request", "code review", "look over", "second opinion", "anything wrong"),
            TaskKind.SEARCH, Set.of("where is", "where does", "how does", "find out", "look up", "what does", "which file"));

    private KeywordRules() {}

    /** The rule words and phrases found in the text, per kind (kinds without a hit are absent). */
    public static Map<TaskKind, List<String>> hits(String text) {
        List<String> words = TextFeatures.words(text);
        String joined = " " + String.join(" ", words) + " ";
        Map<TaskKind, List<String>> hits = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) {
            List<String> found = new ArrayList<>();
            for (String word : words) {
                if (WORDS.get(kind).contains(word) && !found.contains(word)) found.add(word);
            }
            for (String phrase : PHRASES.get(kind)) {
                if (joined.contains(" " + phrase + " ")) found.add(phrase);
            }
            if (!found.isEmpty()) hits.put(kind, List.copyOf(found));
        }
        return hits;
    }
}
