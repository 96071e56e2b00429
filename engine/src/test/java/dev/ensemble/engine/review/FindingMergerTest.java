package dev.ensemble.engine.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FindingMergerTest {
    private static Finding f(Severity s, String file, int line, int end, String model) {
        return new Finding(s, file, line, end, "problem seen by " + model, "fix by " + model, List.of(model));
    }

    @Test
    void twoModelsOnNearbyLinesOfOneFileBecomeOneFindingAtTheHigherSeverity() {
        List<Finding> merged = FindingMerger.merge(List.of(
                f(Severity.MEDIUM, "A.java", 10, 10, "m1"),
                f(Severity.HIGH, "A.java", 12, 13, "m2")));
        assertThat(merged).hasSize(1);
        Finding one = merged.getFirst();
        assertThat(one.severity()).isEqualTo(Severity.HIGH);
        assertThat(one.models()).containsExactly("m1", "m2");
        assertThat(one.line()).isEqualTo(10);
        assertThat(one.endLine()).isEqualTo(13);
        assertThat(one.description()).isEqualTo("problem seen by m2");
    }

    @Test
    void overlappingRangesMergeFarApartOrOtherFilesDoNot() {
        List<Finding> merged = FindingMerger.merge(List.of(
                f(Severity.LOW, "A.java", 10, 30, "m1"),
                f(Severity.LOW, "A.java", 25, 26, "m2"),
                f(Severity.LOW, "A.java", 34, 34, "m2"),
                f(Severity.LOW, "B.java", 10, 10, "m2"),
                f(Severity.CRITICAL, "A.java", 0, 0, "m1")));
        assertThat(merged).extracting(Finding::location).containsExactly("A.java", "A.java:10-30", "A.java:34", "B.java:10");
        assertThat(merged.get(1).models()).containsExactly("m1", "m2");
    }

    @Test
    void oneModelRepeatingItselfIsListedOnce() {
        List<Finding> merged = FindingMerger.merge(List.of(f(Severity.LOW, "A.java", 5, 5, "m1"), f(Severity.LOW, "A.java", 6, 6, "m1")));
        assertThat(merged).singleElement().extracting(Finding::models).isEqualTo(List.of("m1"));
    }
}
