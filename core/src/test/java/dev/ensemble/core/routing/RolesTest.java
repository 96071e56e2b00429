package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class RolesTest {
    private static JsonNode yaml(String text) {
        return YAMLMapper.builder().build().readTree(text);
    }

    @Test
    void defaultsAreTheFourRolesWithTheirNamesKindsAndFallbacks() {
        Roles roles = Roles.defaults();
        assertThat(roles.all()).extracting(Role::id).containsExactly("planner", "implementer", "reviewer", "librarian");
        assertThat(roles.all()).extracting(Role::displayName).containsExactly("Sisyphus", "Hephaestus", "Oracle", "Librarian");
        assertThat(roles.all()).extracting(Role::kind).containsExactly(TaskKind.PLANNING, TaskKind.CODING, TaskKind.REVIEW, TaskKind.SEARCH);
        assertThat(roles.all()).allMatch(Role::routed).allMatch(r -> !r.systemPrompt().isBlank());
        assertThat(roles.require("planner").fallback()).containsExactly("reviewer");
        assertThat(roles.require("implementer").fallback()).containsExactly("planner");
        assertThat(roles.require("reviewer").fallback()).containsExactly("planner");
        assertThat(roles.require("librarian").fallback()).containsExactly("planner");
        assertThat(roles.forKind(TaskKind.REVIEW)).map(Role::id).contains("reviewer");
    }

    @Test
    void aRoleFallsBackInItsConfiguredOrderThenThroughItsFallbacksFallbacks() {
        assertThat(Roles.defaults().fallbackChain("implementer")).extracting(Role::id).containsExactly("implementer", "planner", "reviewer");
        Roles configured = Roles.load(yaml("reviewer: { fallback: [librarian, implementer] }"));
        assertThat(configured.fallbackChain("reviewer")).extracting(Role::id).containsExactly("reviewer", "librarian", "planner", "implementer");
    }

    @Test
    void configChangesOnlyTheFieldsItGivesAndMayAddRoles() {
        Roles roles = Roles.load(yaml("""
                planner: { name: Athena, model: claude-opus-4-5 }
                tester: { kind: review, system_prompt: "You write failing tests first.", fallback: [reviewer] }
                """));
        Role planner = roles.require("planner");
        assertThat(planner.displayName()).isEqualTo("Athena");
        assertThat(planner.modelPreference()).isEqualTo("claude-opus-4-5");
        assertThat(planner.routed()).isFalse();
        assertThat(planner.kind()).isEqualTo(TaskKind.PLANNING);
        assertThat(planner.systemPrompt()).contains("planner");
        assertThat(roles.require("tester").kind()).isEqualTo(TaskKind.REVIEW);
        assertThat(roles.fallbackChain("tester")).extracting(Role::id).containsExactly("tester", "reviewer", "planner");
    }

    @Test
    void reportsEveryProblemWithItsKey() {
        assertThatThrownBy(() -> Roles.load(yaml("""
                planner: { kind: dreaming, colour: red }
                implementer: { fallback: [nobody] }
                helper: { name: Helper }
                reviewer: { fallback: [reviewer] }
                """)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::key)
                        .containsExactlyInAnyOrder("roles.planner.colour", "roles.planner.kind", "roles.helper.kind",
                                "roles.reviewer.fallback", "roles.implementer.fallback"))
                .hasMessageContaining("unknown role 'nobody'").hasMessageContaining("unknown task kind 'dreaming'");
    }

    @Test
    void anEmptySectionGivesTheDefaults() {
        assertThat(Roles.load(yaml("{}")).all()).hasSize(4);
        assertThatThrownBy(() -> Roles.defaults().require("chef")).hasMessageContaining("unknown role 'chef'").hasMessageContaining("planner");
    }
}
