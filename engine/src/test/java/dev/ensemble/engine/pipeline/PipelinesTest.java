package dev.ensemble.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.LocatedYaml;
import dev.ensemble.core.routing.Roles;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelinesTest {
    private static Pipelines load(String yaml) {
        LocatedYaml located = LocatedYaml.read("ensemble.yaml", yaml);
        return Pipelines.load(located.tree().get("pipelines"), located.locator(), Roles.defaults());
    }

    private static List<String> errors(String yaml) {
        try {
            load(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected configuration errors");
    }

    @Test
    void theBuiltInPipelinesRunTheSpecifiedRoleSequences() {
        Pipelines pipelines = Pipelines.builtIns(Roles.defaults());
        assertThat(pipelines.all()).extracting(PipelineDefinition::name).containsExactly("feature", "bugfix", "review");
        assertThat(pipelines.all()).allMatch(PipelineDefinition::builtIn).allMatch(p -> !p.description().isEmpty());
        assertThat(roles(pipelines.require("feature"))).containsExactly("planner", "implementer", "reviewer", "librarian");
        assertThat(roles(pipelines.require("bugfix"))).containsExactly("planner", "reviewer", "implementer", "reviewer");
        assertThat(roles(pipelines.require("review"))).containsExactly("librarian", "reviewer", "planner");
        assertThat(pipelines.require("feature").synthesis().role()).isEqualTo("planner");
        assertThat(pipelines.require("feature").outline())
                .isEqualTo("plan (planner) → implement (implementer) → review (reviewer) → docs (librarian) → synthesis (planner)");
    }

    @Test
    void aUserPipelineIsAddedAndOneOfTheSameNameReplacesTheBuiltIn() {
        Pipelines pipelines = load("""
                pipelines:
                  security-audit:
                    description: "Find and audit"
                    steps:
                      - { role: librarian, name: find, prompt: "Find the code that handles {input}." }
                      - { role: reviewer, name: audit, prompt: "Audit {steps.find}" }
                  review:
                    steps: [reviewer, reviewer]
                """);
        PipelineDefinition audit = pipelines.require("security-audit");
        assertThat(audit.source()).isEqualTo("ensemble.yaml");
        assertThat(audit.steps()).extracting(PipelineStep::name).containsExactly("find", "audit");
        assertThat(audit.synthesis().prompt()).isEqualTo(Pipelines.DEFAULT_SYNTHESIS_PROMPT);
        assertThat(pipelines.overridesBuiltIn("review")).isTrue();
        assertThat(pipelines.overridesBuiltIn("feature")).isFalse();
        assertThat(pipelines.require("review").steps()).extracting(PipelineStep::name).containsExactly("reviewer", "reviewer-2");
        assertThat(pipelines.all()).extracting(PipelineDefinition::name).containsExactly("feature", "bugfix", "review", "security-audit");
        assertThatThrownBy(() -> pipelines.require("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown pipeline 'nope' (pipelines: feature, bugfix, review, security-audit)");
    }

    @Test
    void everyProblemIsReportedWithItsLineAndKey() {
        assertThat(errors("""
                pipelines:
                  audit:
                    steps:
                      - { role: critic, prompt: "x" }
                      - role: reviewer
                        prompt: "Audit {previus} and {steps.later}"
                        colour: red
                      - { role: planner, name: later }
                    synthesis: { role: planner, prompt: "{outputs} {nothing}" }
                    owner: me
                  empty:
                    steps: []
                  first:
                    steps:
                      - { role: planner, prompt: "{previous}" }
                """)).containsExactlyInAnyOrder(
                "ensemble.yaml:4: pipelines.audit.steps[0].role: unknown role 'critic' (roles: planner, implementer, reviewer, librarian)",
                "ensemble.yaml:6: pipelines.audit.steps[1].prompt: unknown placeholder {previus} (placeholders: {input}, {previous}, {steps.NAME}, {outputs})",
                "ensemble.yaml:6: pipelines.audit.steps[1].prompt: {steps.later} names no earlier step (this is the first step)",
                "ensemble.yaml:7: pipelines.audit.steps[1].colour: unknown setting (expected one of name, prompt, role)",
                "ensemble.yaml:9: pipelines.audit.synthesis.prompt: unknown placeholder {nothing} (placeholders: {input}, {previous}, {steps.NAME}, {outputs})",
                "ensemble.yaml:10: pipelines.audit.owner: unknown setting (expected one of description, steps, synthesis)",
                "ensemble.yaml:12: pipelines.empty.steps: a pipeline needs at least one step: a list of { role, name, prompt }",
                "ensemble.yaml:15: pipelines.first.steps[0].prompt: {previous} in the first step, which has no previous step; use {input}");
    }

    @Test
    void namesMustBeUniqueAndStepsNeedARole() {
        assertThat(errors("""
                pipelines:
                  twice:
                    steps:
                      - { role: planner, name: a }
                      - { role: reviewer, name: a }
                      - { prompt: "no role" }
                      - 42
                  "bad name!":
                    steps: [planner]
                  notamap: [planner]
                """)).containsExactlyInAnyOrder(
                "ensemble.yaml:5: pipelines.twice.steps[1].name: another step is already called 'a'; give each step its own name",
                "ensemble.yaml:6: pipelines.twice.steps[2].role: each step needs a role (roles: planner, implementer, reviewer, librarian)",
                "ensemble.yaml:7: pipelines.twice.steps[3]: expected a step: { role, name, prompt } or a role id",
                "ensemble.yaml:8: pipelines.bad name!: expected a pipeline name of letters, digits, '-' and '_'",
                "ensemble.yaml:10: pipelines.notamap: expected a mapping with description, steps and synthesis");
    }

    @Test
    void aRoleAddedInTheConfigurationMayBeAStep() {
        Roles roles = Roles.load(tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree("{\"tester\": {\"kind\": \"review\", \"system_prompt\": \"You write failing tests.\"}}"));
        LocatedYaml located = LocatedYaml.read("ensemble.yaml", "pipelines:\n  tdd:\n    steps: [tester, implementer]\n");
        assertThat(roles(Pipelines.load(located.tree().get("pipelines"), located.locator(), roles).require("tdd")))
                .containsExactly("tester", "implementer");
    }

    private static List<String> roles(PipelineDefinition pipeline) {
        return pipeline.steps().stream().map(PipelineStep::role).toList();
    }
}
