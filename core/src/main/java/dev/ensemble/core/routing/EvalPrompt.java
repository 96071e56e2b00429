package dev.ensemble.core.routing;

import java.util.Map;
import java.util.Objects;

/**
 * One prompt of a routing evaluation set: its text, where it came from (the file name without
 * {@code .csv}; for MMLU the subject) and which models answered it correctly.
 */
public record EvalPrompt(String prompt, String source, Map<String, Boolean> correct) {
    public EvalPrompt {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(source, "source");
        correct = Map.copyOf(correct);
    }

    public boolean correct(String model) {
        Boolean ok = correct.get(model);
        if (ok == null) throw new IllegalArgumentException("no outcome for " + model);
        return ok;
    }
}
