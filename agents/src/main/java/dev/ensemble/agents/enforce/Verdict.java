package dev.ensemble.agents.enforce;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The enforcer's decision on one task's change set: accepted exactly when there is no violation.
 * {@code agent} names who made the change, for display and the record (empty when not known).
 */
public record Verdict(boolean accepted, List<Violation> violations, String agent) {
    public Verdict {
        violations = List.copyOf(violations);
        Objects.requireNonNull(agent, "agent");
        if (accepted != violations.isEmpty()) {
            throw new IllegalArgumentException("a verdict is accepted exactly when it has no violations");
        }
    }

    public Verdict(boolean accepted, List<Violation> violations) {
        this(accepted, violations, "");
    }

    public static Verdict of(List<Violation> violations) {
        return new Verdict(violations.isEmpty(), violations, "");
    }

    public Verdict withAgent(String newAgent) {
        return new Verdict(accepted, violations, newAgent);
    }

    /** This verdict with {@code more} violations: rejected when there are any. */
    public Verdict plus(List<Violation> more) {
        if (more.isEmpty()) return this;
        List<Violation> all = new java.util.ArrayList<>(violations);
        all.addAll(more);
        return new Verdict(false, all, agent);
    }

    /** The distinct rule ids broken, in order of first appearance. */
    public List<String> rules() {
        return violations.stream().map(Violation::rule).distinct().toList();
    }

    /** One line for a terminal: "accepted", or "rejected (agent): rule path; rule path". */
    public String summary() {
        if (accepted) return "accepted";
        return "rejected" + (agent.isEmpty() ? "" : " (" + agent + ")") + ": "
                + violations.stream().map(v -> v.rule() + " " + v.path()).collect(Collectors.joining("; "));
    }
}
