package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Estimates a task's difficulty for its kind from what the router sees in real use: the task text
 * and the token estimates. Deliberately small and explainable, not learned:
 *
 * <pre>
 * difficulty = base(kind) + cues + size, clamped to 0..10
 *   base      5.5 (planning, coding, review), 4.5 (search: every catalog model scores about a point
 *             lower on search than on its other kinds, so a typical search sits lower on that scale)
 *   cues      −1.25 per routine cue (typo, rename, docstring, off-by-one, add a flag/option, a small
 *             diff, a single lookup, a given failing test...), +1.25 per hard cue (design,
 *             concurrency, race, lock-free, distributed, migration, security, auth, without downtime,
 *             across many files, every caller...); each side capped at 3 points
 *   size      1.5 × log10((input + output tokens) / 15,000), clamped to ±1.5: a task ten times the
 *             typical context is 1.5 points harder, a tenth of it 1.5 points easier
 * </pre>
 *
 * The cue lists are written from what makes work routine or hard for engineers in general, not fitted
 * to any data; how well they agree with hand-judged difficulties is reported (BENCHMARKS.md §4), not
 * tuned. Where the estimate is wrong, the router's fallback and evidence correct it.
 */
public final class DifficultyEstimator {
    static final double BASE = 5.5;
    static final double SEARCH_BASE = 4.5;
    static final double CUE_WEIGHT = 1.25;
    static final double CUE_CAP = 3.0;
    static final double TYPICAL_TOKENS = 15_000;
    static final double SIZE_SLOPE = 1.5;
    static final double SIZE_CAP = 1.5;

    private record Cue(String label, Pattern pattern) {
        static Cue of(String label, String regex) {
            return new Cue(label, Pattern.compile(regex));
        }
    }

    private static final List<Cue> ROUTINE = List.of(
            Cue.of("typo", "\\btypos?\\b"),
            Cue.of("rename", "\\brenam(e|es|ing)\\b"),
            Cue.of("docstring/comment", "\\b(docstrings?|javadoc|comments?|readme)\\b"),
            Cue.of("off-by-one", "\\boff[- ]by[- ]one\\b"),
            Cue.of("add a flag/option", "(--[a-z][a-z-]*|\\bflags?\\b|\\boptions?\\b)"),
            Cue.of("formatting/lint", "\\b(format(ting)?|lint|whitespace|style)\\b"),
            Cue.of("version bump", "\\bbump\\b"),
            Cue.of("small change", "\\b(small|tiny|trivial|one[- ]line|single|\\d{1,2}[- ]line)\\b"),
            Cue.of("single lookup", "\\b(find where|where is|where does|which file)\\b"),
            Cue.of("failing test given", "\\b(failing|reproducing) test\\b"));

    private static final List<Cue> HARD = List.of(
            Cue.of("design", "\\b(design|architecture|architect)\\b"),
            Cue.of("concurrency", "\\b(concurren(cy|t)|race|deadlock|lock[- ]free|thread[- ]safe|atomic)\\b"),
            Cue.of("distributed", "\\b(distributed|consensus|replication|across (two|\\d+|several|many) services)\\b"),
            Cue.of("migration", "\\b(migrat(e|ion|ions)|backfill|without downtime|zero[- ]downtime)\\b"),
            Cue.of("security", "\\b(security|vulnerab\\w*|auth\\w*|session|crypto\\w*|injection|exploit)\\b"),
            Cue.of("wide change", "\\b(across \\d+ files|across the codebase|every (caller|call site|module|usage)|all (callers|call sites))\\b"),
            Cue.of("performance", "\\b(performance|latency|throughput|optimi[sz]e)\\b"),
            Cue.of("failure handling", "\\b(failure model|fault[- ]toleran\\w*|idempoten\\w*)\\b"));

    private DifficultyEstimator() {}

    public static Difficulty estimate(String task, TaskKind kind, long inputTokens, long outputTokens) {
        String text = " " + task.toLowerCase(Locale.ROOT) + " ";
        List<String> routine = matches(ROUTINE, text);
        List<String> hard = matches(HARD, text);
        double base = kind == TaskKind.SEARCH ? SEARCH_BASE : BASE;
        double cues = Math.min(CUE_CAP, CUE_WEIGHT * hard.size()) - Math.min(CUE_CAP, CUE_WEIGHT * routine.size());
        long tokens = Math.max(1, inputTokens + outputTokens);
        double size = Math.clamp(SIZE_SLOPE * Math.log10(tokens / TYPICAL_TOKENS), -SIZE_CAP, SIZE_CAP);
        double score = Math.clamp(base + cues + size, 0.0, 10.0);
        List<String> parts = new ArrayList<>();
        if (!routine.isEmpty()) parts.add("routine: " + String.join(", ", routine));
        if (!hard.isEmpty()) parts.add("hard: " + String.join(", ", hard));
        if (routine.isEmpty() && hard.isEmpty()) parts.add("no cues");
        parts.add(String.format(Locale.ROOT, "%s tokens %+.1f", Router.tokens(tokens), size));
        return new Difficulty(score, String.join("; ", parts) + String.format(Locale.ROOT, " → %.1f", score));
    }

    private static List<String> matches(List<Cue> cues, String text) {
        List<String> out = new ArrayList<>();
        for (Cue cue : cues) {
            if (cue.pattern().matcher(text).find()) out.add(cue.label());
        }
        return out;
    }
}
