package dev.ensemble.engine.review;

import java.util.List;

/** What {@link FindingParser} made of one model's answer about one part of a diff. */
public sealed interface ParsedAnswer {
    /**
     * The findings it could use.
     *
     * @param dropped one line per finding left out, saying why (a file not in the diff, no description...)
     */
    record Findings(List<Finding> findings, List<String> dropped) implements ParsedAnswer {
        public Findings {
            findings = List.copyOf(findings);
            dropped = List.copyOf(dropped);
        }
    }

    /** An answer with no usable JSON: counted as that model's failure for this part. */
    record Malformed(String problem) implements ParsedAnswer {}
}
