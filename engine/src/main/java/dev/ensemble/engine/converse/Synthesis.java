package dev.ensemble.engine.converse;

import dev.ensemble.core.Usage;
import dev.ensemble.llm.FailedAttempt;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What the synthesizer made of the panel's answers.
 *
 * @param model          the catalog id of the model that synthesized (after any fallback)
 * @param confidence     0 to 1 when the synthesizer gave a number (or a percentage)
 * @param confidenceText the confidence as given when it was not a number ("high"), else ""
 * @param structured     whether the reply was the JSON asked for; when not, {@code finalAnswer} is the raw reply
 * @param raw            the synthesizer's reply as it came
 */
public record Synthesis(String model, List<String> agreements, List<String> differences, String finalAnswer,
                        OptionalDouble confidence, String confidenceText, boolean structured, String raw,
                        Usage usage, double costUsd, Duration latency, List<FailedAttempt> failures) {
    public Synthesis {
        Objects.requireNonNull(model, "model");
        agreements = List.copyOf(agreements);
        differences = List.copyOf(differences);
        finalAnswer = finalAnswer == null ? "" : finalAnswer;
        Objects.requireNonNull(confidence, "confidence");
        confidenceText = confidenceText == null ? "" : confidenceText;
        raw = raw == null ? "" : raw;
        Objects.requireNonNull(usage, "usage");
        latency = latency == null ? Duration.ZERO : latency;
        failures = List.copyOf(failures);
    }

    static Synthesis of(SynthesisParser.Content content, String model, String raw, Usage usage, double costUsd, Duration latency,
                        List<FailedAttempt> failures) {
        return new Synthesis(model, content.agreements(), content.differences(), content.finalAnswer(), content.confidence(),
                content.confidenceText(), content.structured(), raw, usage, costUsd, latency, failures);
    }
}
