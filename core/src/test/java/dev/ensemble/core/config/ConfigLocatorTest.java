package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.routing.Roles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLocatorTest {
    @TempDir Path dir;

    private Path user() {
        return dir.resolve("user/config.yaml");
    }

    private Path repo() {
        return dir.resolve("repo/ensemble.yaml");
    }

    private static void write(Path file, String yaml) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
    }

    @Test
    void aKeyIsPlacedAtTheLineOfTheLayerThatLastSetIt() throws IOException {
        write(user(), """
                roles:
                  planner:
                    name: Athena
                    model: fast-model
                """);
        write(repo(), """
                # the repository's choice wins
                roles:
                  planner:
                    model: coding-model
                pipelines:
                  audit:
                    steps:
                      - { role: librarian }
                      - role: reviewer
                        prompt: "check {previous}"
                """);
        ConfigLocator locator = new ConfigLoader(user(), repo(), Map.of()).locator();

        assertThat(locator.locate("roles.planner.name")).isEqualTo(new Origin(user().toString(), 3));
        assertThat(locator.locate("roles.planner.model")).isEqualTo(new Origin(repo().toString(), 4));
        assertThat(locator.locate("roles.planner")).as("a mapping: the layer that introduced it")
                .isEqualTo(new Origin(user().toString(), 2));
        assertThat(locator.locate("pipelines.audit.steps[0].role")).isEqualTo(new Origin(repo().toString(), 8));
        assertThat(locator.locate("pipelines.audit.steps[1].prompt")).isEqualTo(new Origin(repo().toString(), 10));
        assertThat(locator.locate("pipelines.audit.steps[1].model")).as("not set: its nearest enclosing key")
                .isEqualTo(new Origin(repo().toString(), 9));
        assertThat(locator.error("pipelines.audit.steps[1].role", "unknown role").toString())
                .isEqualTo(repo() + ":9: pipelines.audit.steps[1].role: unknown role");
    }

    @Test
    void aKeyWithADotIsFoundWholeAndAVariableIsNamed() throws IOException {
        write(repo(), """
                models:
                  gpt-5.1:
                    provider: openai
                """);
        ConfigLocator locator = new ConfigLoader(user(), repo(), Map.of("ENSEMBLE_DEFAULT_MODEL", "fast-model")).locator();

        assertThat(locator.locate("models.gpt-5.1.provider")).isEqualTo(new Origin(repo().toString(), 3));
        assertThat(locator.locate("default_model")).isEqualTo(new Origin("environment variable ENSEMBLE_DEFAULT_MODEL", 0));
    }

    @Test
    void rolesErrorsNameTheRepositoryFileTheLineAndTheKey() throws IOException {
        write(repo(), """
                default_model: fast-model
                roles:
                  reviewer:
                    fallback: [reviewer]
                  tester:
                    system_prompt: "You write failing tests first."
                    colour: blue
                """);
        ConfigLoader loader = new ConfigLoader(user(), repo(), Map.of());
        ConfigSnapshot snapshot = loader.snapshot();  // the schema reports the unknown key; Roles checks the rest
        assertThat(snapshot.errors()).extracting(ConfigError::toString).containsExactly(
                repo() + ":7: roles.tester.colour: unknown key 'colour' (expected one of name, system_prompt, kind, model, "
                        + "fallback, max_output_tokens)");

        assertThatThrownBy(() -> Roles.load(snapshot.section("roles"), snapshot.locator()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactlyInAnyOrder(
                                repo() + ":4: roles.reviewer.fallback: a role cannot fall back to itself",
                                repo() + ":7: roles.tester.colour: unknown setting (expected one of name, system_prompt, kind, "
                                        + "model, fallback, max_output_tokens)",
                                repo() + ":5: roles.tester.kind: a new role needs a kind (planning, coding, review or search)"));
        assertThatThrownBy(() -> Roles.load(loader.section("roles")))
                .as("the old overload still works, without lines")
                .hasMessageContaining("configuration (roles): roles.reviewer.fallback");
    }

    @Test
    void aSingleYamlTextIsLocatedLikeAFile() {
        LocatedYaml yaml = LocatedYaml.read("builtin.yaml", """
                feature:
                  steps:
                    - { role: planner }
                """);
        assertThat(yaml.tree().path("feature").path("steps").get(0).path("role").asString()).isEqualTo("planner");
        assertThat(yaml.locator().locate("feature.steps[0].role")).isEqualTo(new Origin("builtin.yaml", 3));
        assertThatThrownBy(() -> LocatedYaml.read("dup.yaml", "a: 1\na: 2\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("dup.yaml:2: a: duplicate key");
        assertThat(ConfigLocator.unplaced("somewhere").error("x.y", "bad").toString()).isEqualTo("somewhere: x.y: bad");
    }
}
