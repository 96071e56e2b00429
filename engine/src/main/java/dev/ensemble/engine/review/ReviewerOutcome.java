package dev.ensemble.engine.review;

import java.util.List;

/**
 * How one reviewer fared.
 *
 * @param reviewer    the model cast (the first of its chain)
 * @param answeredBy  the models that actually answered (another of the chain after a fallback)
 * @param parts       how many parts of the diff it was given
 * @param reviewed    how many it answered usably
 * @param failures    one line per part it could not review (the call failed, or the answer was malformed)
 */
public record ReviewerOutcome(String reviewer, List<String> answeredBy, int parts, int reviewed, List<String> failures) {
    public ReviewerOutcome {
        answeredBy = List.copyOf(answeredBy);
        failures = List.copyOf(failures);
    }

    public boolean failed() {
        return reviewed == 0;
    }
}
