package dev.ensemble.engine.judge;

import java.util.List;
import java.util.stream.Collectors;

/** The judge's answer: PASS only when every check passed; {@code summary} names the failed checks and why. */
public record JudgeVerdict(boolean passed, List<Check> checks, String summary) {
    public JudgeVerdict {
        checks = List.copyOf(checks);
        summary = summary == null ? "" : summary;
    }

    static JudgeVerdict of(List<Check> checks) {
        List<Check> failed = checks.stream().filter(c -> !c.passed()).toList();
        String summary = failed.isEmpty()
                ? "PASS: " + checks.stream().map(Check::name).collect(Collectors.joining(", ")) + " passed"
                : "FAIL: " + failed.stream().map(c -> c.name() + " — " + firstLine(c.detail())).collect(Collectors.joining("; "));
        return new JudgeVerdict(failed.isEmpty(), checks, summary);
    }

    /** The failed checks' details in full: what a retry prompt or a report's failure reason needs. */
    public String reasons() {
        return checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).collect(Collectors.joining("\n\n"));
    }

    private static String firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }
}
