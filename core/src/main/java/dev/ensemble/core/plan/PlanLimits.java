package dev.ensemble.core.plan;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * How large a plan may be. A plan comes from a model or from a file, both hostile input: without
 * a cap a 63 MB answer or a plan of 100,000 tasks keeps ensemble busy for minutes before any
 * check says no. A real run has tens of tasks; the caps are far above that and far below what
 * costs time.
 *
 * @param maxBytes the plan's text, UTF-8 encoded (a {@code --plan} file, or the planner's answer)
 * @param maxTasks tasks in one plan
 */
public record PlanLimits(long maxBytes, int maxTasks) {
    public static final PlanLimits DEFAULT = new PlanLimits(4L * 1024 * 1024, 1_000);

    public PlanLimits {
        if (maxBytes < 1 || maxTasks < 1) throw new IllegalArgumentException("plan limits must be positive");
    }

    /** Why {@code text} is too large, if it is: "the plan is 66,060,288 bytes, over the limit of 4 MiB …". */
    public Optional<String> textProblem(String text) {
        if (text.length() <= maxBytes / 3) return Optional.empty();  // even all 3-byte characters fit
        long bytes = text.length() > maxBytes ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
        return bytes <= maxBytes ? Optional.empty() : Optional.of(bytesProblem(bytes, text.length() > maxBytes));
    }

    /**
     * The message for a plan over the byte limit.
     *
     * @param atLeast the plan was read no further than {@code bytes} (a file, or a count in characters)
     */
    public String bytesProblem(long bytes, boolean atLeast) {
        return String.format(Locale.ROOT, "the plan is %s%,d bytes, over the limit of %s for a plan: ask for less "
                + "in one request, or split it into several runs", atLeast ? "at least " : "", bytes, size(maxBytes));
    }

    /** The message for a plan of {@code tasks} tasks over the limit. */
    public String tasksProblem(int tasks) {
        return String.format(Locale.ROOT, "the plan has %,d tasks, over the limit of %,d tasks for a plan: group the work into "
                + "fewer, larger tasks, or split it into several runs", tasks, maxTasks);
    }

    /** "4 MiB (4,194,304 bytes)", "1,000 bytes". */
    private static String size(long bytes) {
        String exact = String.format(Locale.ROOT, "%,d bytes", bytes);
        if (bytes % (1024 * 1024) == 0) return bytes / (1024 * 1024) + " MiB (" + exact + ")";
        if (bytes % 1024 == 0) return bytes / 1024 + " KiB (" + exact + ")";
        return exact;
    }
}
