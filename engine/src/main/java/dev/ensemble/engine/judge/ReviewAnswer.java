package dev.ensemble.engine.judge;

import dev.ensemble.core.AnswerJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A reviewer's answer, read tolerantly: the JSON may be the whole answer, a fenced block in prose,
 * or the outermost braces; {@code reasons} may be one string. Anything else is a {@link Malformed}
 * naming what was wrong, which goes back to the reviewer once.
 */
sealed interface ReviewAnswer {
    record Verdict(boolean pass, List<String> reasons) implements ReviewAnswer {
        public Verdict {
            reasons = List.copyOf(reasons);
        }
    }

    record Malformed(String problem) implements ReviewAnswer {}

    JsonMapper JSON = JsonMapper.builder().build();

    static ReviewAnswer parse(String answer) {
        if (answer == null || answer.isBlank()) return new Malformed("the answer was empty");
        Optional<String> json = AnswerJson.objectText(answer);
        if (json.isEmpty()) return new Malformed("the answer contains no JSON object");
        JsonNode root;
        try {
            root = JSON.readTree(json.get());
        } catch (JacksonException e) {
            return new Malformed("the JSON does not parse: " + e.getOriginalMessage());
        }
        if (!root.isObject()) return new Malformed("expected a JSON object");
        JsonNode verdict = root.path("verdict");
        String value = verdict.isString() ? verdict.asString().strip().toLowerCase(Locale.ROOT) : "";
        if (!value.equals("pass") && !value.equals("fail")) {
            return new Malformed("\"verdict\" must be \"pass\" or \"fail\", got " + (verdict.isMissingNode() ? "nothing" : verdict.toString()));
        }
        List<String> reasons = new ArrayList<>();
        JsonNode given = root.path("reasons");
        if (given.isArray()) {
            for (JsonNode reason : given) {
                String text = reason.isString() ? reason.asString() : reason.toString();
                if (!text.isBlank()) reasons.add(text.strip());
            }
        } else if (given.isString() && !given.asString().isBlank()) {
            reasons.add(given.asString().strip());
        }
        if (value.equals("fail") && reasons.isEmpty()) return new Malformed("a \"fail\" verdict needs at least one reason in \"reasons\"");
        return new Verdict(value.equals("pass"), reasons);
    }
}
