package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every section is in the schema, so the loader itself (and with it {@code config check}) finds a
 * bad value or an unknown key in budget, routing, roles, policy and pipelines, at its file, line
 * and key, where before these sections were free-form until a command happened to read them.
 */
class SectionSchemaTest {
    @TempDir Path dir;

    static Stream<Arguments> badSections() {
        return Stream.of(
                Arguments.of("budget:\n  daily_usd: five\n", 2, "budget.daily_usd",
                        "expected an amount in USD ≥ 0, or null for no limit, got \"five\""),
                Arguments.of("budget:\n  daily_usd: -5\n", 2, "budget.daily_usd",
                        "expected an amount in USD ≥ 0, or null for no limit, got -5"),
                Arguments.of("budget:\n  warn_at: 7\n", 2, "budget.warn_at",
                        "expected a fraction of a limit above 0 and at most 1, such as 0.8, got 7"),
                Arguments.of("budget:\n  warn_at: 0\n", 2, "budget.warn_at", "above 0 and at most 1"),
                Arguments.of("budget:\n  approve_above_usd: -1\n", 2, "budget.approve_above_usd", "got -1"),
                Arguments.of("budget:\n  dialy_usd: 3\n", 2, "budget.dialy_usd",
                        "unknown key 'dialy_usd' (did you mean 'daily_usd'?)"),
                Arguments.of("budget: 50\n", 1, "budget",
                        "expected a mapping with daily_usd, run_usd, task_usd, warn_at and approve_above_usd, got 50"),
                Arguments.of("policy:\n  protectd: [\"x/**\"]\n", 2, "policy.protectd",
                        "unknown key 'protectd' (did you mean 'protected'?)"),
                Arguments.of("policy:\n  allow_binary: sometimes\n", 2, "policy.allow_binary", "expected true or false"),
                Arguments.of("policy:\n  max_file_size: 99999999999999999999999\n", 2, "policy.max_file_size",
                        "from 1 to 1099511627776"),
                Arguments.of("roles:\n  implementer:\n    modle: gpt-5\n", 3, "roles.implementer.modle",
                        "unknown key 'modle' (did you mean 'model'?)"),
                Arguments.of("roles:\n  planner:\n    max_output_tokens: 99999999999999999999999\n", 3,
                        "roles.planner.max_output_tokens", "from 0 (the model's maximum) to 2147483647"),
                Arguments.of("roles:\n  planner:\n    name: \"  \"\n", 3, "roles.planner.name", "expected non-empty text"),
                Arguments.of("routing:\n  pass_flor: 0.3\n", 2, "routing.pass_flor",
                        "unknown key 'pass_flor' (did you mean 'pass_floor'?)"),
                Arguments.of("routing:\n  weights: { quality: -1 }\n", 2, "routing.weights.quality", "expected a number ≥ 0, got -1"),
                Arguments.of("routing:\n  pass_floor: 1\n", 2, "routing.pass_floor", "from 0 up to (not including) 1"),
                Arguments.of("pipelines:\n  audit:\n    steps:\n      - { role: reviewer, promt: \"x\" }\n", 4,
                        "pipelines.audit.steps[0].promt", "unknown key 'promt' (did you mean 'prompt'?)"),
                Arguments.of("pipelines:\n  audit:\n    steps:\n      - 3\n", 4, "pipelines.audit.steps[0]",
                        "expected a step: { role, name, prompt } or a role id, got 3"),
                Arguments.of("pipelines:\n  audit:\n    stesp: []\n", 3, "pipelines.audit.stesp",
                        "unknown key 'stesp' (did you mean 'steps'?)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSections")
    void eachBadValueIsReportedAtItsFileLineAndKey(String yaml, int line, String key, String message) throws IOException {
        Path file = Files.writeString(dir.resolve("ensemble.yaml"), yaml);

        ConfigSnapshot snapshot = new ConfigLoader(null, file, Map.of()).snapshot();

        assertThat(snapshot.errors()).as(snapshot.errors().toString()).singleElement().satisfies(error -> {
            assertThat(error.source()).isEqualTo(file.toString());
            assertThat(error.line()).isEqualTo(line);
            assertThat(error.key()).isEqualTo(key);
            assertThat(error.message()).contains(message);
        });
        assertThat(snapshot.failure(java.util.List.of())).isNotNull();
    }

    @ParameterizedTest(name = "valid: {0}")
    @MethodSource("validSections")
    void validSectionsPass(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("ensemble.yaml"), yaml);

        assertThat(new ConfigLoader(null, file, Map.of()).snapshot().errors()).isEmpty();
    }

    static Stream<String> validSections() {
        return Stream.of(
                "budget: { daily_usd: 50, run_usd: 5, task_usd: 1, warn_at: 0.8, approve_above_usd: 2 }\n",
                "budget: { daily_usd: null, warn_at: 1 }\n",
                "policy: { protected_extra: [\"deploy/**\"], allowed_top_level_folders: [docs], copy_ignored: [.env], max_file_size: 5MB }\n",
                "policy: { protected: \"secrets/**\", max_file_size: 1024, allow_binary: true, guard_main_tree: false }\n",
                "roles: { planner: { name: Athena, model: claude-opus-4-5 }, tester: { kind: review, fallback: [reviewer] } }\n",
                "routing: { strategy: quality-first, weights: { quality: 1, cost: 0.1, speed: 0 }, pass_floor: 0.4 }\n",
                "pipelines:\n  audit:\n    description: x\n    steps:\n      - librarian\n      - { role: reviewer, name: audit, prompt: \"{previous}\" }\n"
                        + "    synthesis: { role: planner, prompt: \"{outputs}\" }\n",
                "telegram: { anything: [goes, here] }\n");
    }
}
