package dev.ensemble.agents.cli;

import dev.ensemble.core.Usage;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a CLI's output said about its run, gathered by its {@link OutputParser}: the final
 * message, tokens, reported cost, session id, whether the output reached its final event
 * ({@code finished}), and an error that makes the run a failure even when the CLI exits 0.
 */
public final class RunSummary {
    private String finalMessage = "";
    private Usage usage = Usage.ZERO;
    private Double costUsd;
    private String sessionId;
    private boolean finished;
    private String error;
    private String firstUnparsed;
    private int unparsedLines;
    private int parsedLines;

    public String finalMessage() {
        return finalMessage;
    }

    public Usage usage() {
        return usage;
    }

    public OptionalDouble costUsd() {
        return costUsd == null ? OptionalDouble.empty() : OptionalDouble.of(costUsd);
    }

    public Optional<String> sessionId() {
        return Optional.ofNullable(sessionId);
    }

    public boolean finished() {
        return finished;
    }

    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    public int parsedLines() {
        return parsedLines;
    }

    public int unparsedLines() {
        return unparsedLines;
    }

    public Optional<String> firstUnparsed() {
        return Optional.ofNullable(firstUnparsed);
    }

    void finalMessage(String text) {
        this.finalMessage = text == null ? "" : text;
    }

    void usage(Usage newUsage) {
        this.usage = newUsage;
    }

    void addUsage(Usage more) {
        this.usage = usage.plus(more);
    }

    void cost(double usd) {
        this.costUsd = usd;
    }

    void addCost(double usd) {
        this.costUsd = costUsd == null ? usd : costUsd + usd;
    }

    void sessionId(String id) {
        if (id != null && !id.isBlank()) this.sessionId = id;
    }

    void finished(boolean done) {
        this.finished = done;
    }

    /** The first error wins: later ones are usually consequences of it. */
    void error(String message) {
        if (error == null && message != null) error = message.isBlank() ? "the agent reported an error" : message.strip();
    }

    void parsed() {
        parsedLines++;
    }

    void unparsed(String line) {
        unparsedLines++;
        if (firstUnparsed == null) firstUnparsed = line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
