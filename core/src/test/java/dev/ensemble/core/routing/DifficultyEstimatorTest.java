package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ensemble.core.TaskKind;
import org.junit.jupiter.api.Test;

class DifficultyEstimatorTest {
    @Test
    void aTypicalTaskWithNoCuesSitsAtTheBaseForItsKind() {
        Difficulty d = DifficultyEstimator.estimate("update the handler", TaskKind.CODING, 14_000, 1_000);
        assertThat(d.score()).isCloseTo(5.5, within(1e-9));
        assertThat(d.reason()).isEqualTo("no cues; 15k tokens +0.0 → 5.5");
        assertThat(DifficultyEstimator.estimate("list the modules", TaskKind.SEARCH, 14_000, 1_000).score()).isCloseTo(4.5, within(1e-9));
    }

    @Test
    void routineCuesAndASmallInputMakeATaskEasier() {
        Difficulty d = DifficultyEstimator.estimate("fix a typo in the docstring of parse()", TaskKind.CODING, 1_200, 300);
        // 5.5 − 2 × 1.25 (typo, docstring) − 1.5 (a tenth of the typical size)
        assertThat(d.score()).isCloseTo(1.5, within(1e-9));
        assertThat(d.reason()).isEqualTo("routine: typo, docstring/comment; 1.5k tokens -1.5 → 1.5".replace("1.5k", Router.tokens(1_500)));
    }

    @Test
    void hardCuesAndALargeInputMakeATaskHarder() {
        Difficulty d = DifficultyEstimator.estimate("design a distributed lock service; security review of the auth flow",
                TaskKind.PLANNING, 140_000, 10_000);
        // 5.5 + min(3, 4 × 1.25) (design, concurrency via "lock"? no: design, distributed, security) + 1.5 (size, capped)
        assertThat(d.reason()).startsWith("hard: design, distributed, security;");
        assertThat(d.score()).isCloseTo(5.5 + 3.0 + 1.5, within(1e-9));
    }

    @Test
    void cuesAreCappedAndTheResultStaysOnTheScale() {
        Difficulty d = DifficultyEstimator.estimate(
                "design the architecture for a distributed, concurrent migration without downtime, with security and performance work across 40 files",
                TaskKind.CODING, 2_000_000, 100_000);
        assertThat(d.score()).isEqualTo(10.0);
        Difficulty easy = DifficultyEstimator.estimate("rename a flag, fix a typo and a small comment; format", TaskKind.SEARCH, 10, 10);
        assertThat(easy.score()).isCloseTo(4.5 - 3.0 - 1.5, within(1e-9));
    }

    @Test
    void wordsInsideOtherWordsAreNotCues() {
        // "raced"/"designer" are not "race"/"design"; "600-line" is not a small diff
        Difficulty d = DifficultyEstimator.estimate("the designer raced through a 600-line patch", TaskKind.REVIEW, 14_000, 1_000);
        assertThat(d.reason()).startsWith("no cues;");
    }
}
