package dev.ensemble.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {
    @Test
    void placeholdersAreFilledFromTheRequestAndTheEarlierOutputs() {
        SequencedMap<String, String> outputs = new LinkedHashMap<>();
        outputs.put("plan", "PLAN-TEXT");
        outputs.put("code", "CODE-TEXT");
        assertThat(PromptTemplate.render("Do {input}. Plan: {steps.plan}. Last: {previous}.", "the thing", outputs))
                .isEqualTo("Do the thing. Plan: PLAN-TEXT. Last: CODE-TEXT.");
        assertThat(PromptTemplate.render("All:\n{outputs}", "x {previous} y", outputs))
                .as("the request is inserted as written, not scanned for placeholders")
                .isEqualTo("Request: x {previous} y\n\nAll:\n## plan\nPLAN-TEXT\n\n## code\nCODE-TEXT");
    }

    @Test
    void aPromptThatUsesNoEarlierOutputStillGetsThePreviousOne() {
        SequencedMap<String, String> outputs = new LinkedHashMap<>();
        outputs.put("find", "FOUND");
        assertThat(PromptTemplate.render("", "audit login", new LinkedHashMap<>())).isEqualTo("Request: audit login");
        assertThat(PromptTemplate.render("Audit it, see {\"json\": true}.", "audit login", outputs))
                .isEqualTo("Request: audit login\n\nAudit it, see {\"json\": true}.\n\nThe previous step (find) answered:\nFOUND");
    }

    @Test
    void problemsNameTheBadPlaceholder() {
        assertThat(PromptTemplate.problems("{input} {previous} {steps.a} {outputs} {\"k\": 1}", List.of("a"))).isEmpty();
        assertThat(PromptTemplate.problems("{steps}", List.of("a"))).containsExactly("{steps} needs a step name: {steps.NAME}");
        assertThat(PromptTemplate.problems("{steps.b}", List.of("a"))).containsExactly("{steps.b} names no earlier step (earlier steps: a)");
        assertThat(PromptTemplate.problems("{input.x}", List.of())).singleElement().asString().startsWith("unknown placeholder {input.x}");
    }
}
