package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Redactor;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * `ensemble secrets set|list|rm` with the file store in a temporary XDG_CONFIG_HOME, and the stored
 * key satisfying the built-in anthropic provider's env:ANTHROPIC_API_KEY (the scripted server
 * playing Anthropic) without any configuration naming it.
 */
class SecretsCommandTest {
    private static final String KEY = "sk-ant-stored-key-7f3a9c2e5b";

    @TempDir Path dir;
    ScriptedModelServer anthropic;
    CliHarness cli;
    Map<String, String> env;
    Path secrets;

    @BeforeEach
    void setUp() throws Exception {
        anthropic = ScriptedModelServer.start();
        anthropic.rule(Rule.text("Answered with the stored key."));
        cli = new CliHarness(dir);
        Path home = dir.resolve("home");
        env = Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve(".config").toString());
        secrets = home.resolve(".config/ensemble/secrets");
        cli.repoConfig("""
                retry: { max_attempts: 1 }
                providers:
                  anthropic: { base_url: "%s" }
                """.formatted(anthropic.baseUrl()));
    }

    @AfterEach
    void tearDown() {
        anthropic.close();
    }

    @Test
    void setReadsStdinIntoA0600FileAndListShowsTheNameNeverTheValue() throws IOException {
        CliHarness.Run set = cli.runWithInput(env, KEY + "\n", "secrets", "set", "ANTHROPIC_API_KEY");
        assertThat(set.exitCode()).as(set.all()).isZero();
        assertThat(set.out()).contains("stored ANTHROPIC_API_KEY in " + secrets.resolve("ANTHROPIC_API_KEY")).contains("mode 0600");
        assertThat(set.err()).contains("Used by anthropic");
        assertThat(set.all()).doesNotContain(KEY);

        Path file = secrets.resolve("ANTHROPIC_API_KEY");
        assertThat(Files.readString(file)).isEqualTo(KEY + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(secrets)) {
            assertThat(files).as("no temporary file is left behind").containsExactly(file);
        }
        assertThat(Redactor.global().redact("key " + KEY)).isEqualTo("key " + Redactor.MASK);

        CliHarness.Run list = cli.run(env, "secrets", "list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("ANTHROPIC_API_KEY", file.toString(), "anthropic").doesNotContain(KEY);
        JsonNode json = HttpTransport.JSON.readTree(cli.run(env, "secrets", "list", "--json").out());
        assertThat(json.path("store").asString()).isEqualTo("file");
        assertThat(json.path("secrets").get(0).path("name").asString()).isEqualTo("ANTHROPIC_API_KEY");
        assertThat(json.path("secrets").get(0).path("mode").asString()).isEqualTo("0600");
        assertThat(json.path("secrets").get(0).path("used_by").get(0).asString()).isEqualTo("anthropic");
        assertThat(json.toString()).doesNotContain(KEY);

        // Setting it again replaces the value in place.
        assertThat(cli.runWithInput(env, "sk-ant-replaced-0000000", "secrets", "set", "ANTHROPIC_API_KEY").exitCode()).isZero();
        assertThat(Files.readString(file)).isEqualTo("sk-ant-replaced-0000000\n");
    }

    @Test
    void aStoredKeyMakesTheProviderUsableAndAnswersAskWithIt() throws IOException {
        assertThat(usable("claude-haiku-4-5")).isFalse();
        assertThat(cli.runWithInput(env, KEY, "secrets", "set", "ANTHROPIC_API_KEY").exitCode()).isZero();
        assertThat(usable("claude-haiku-4-5")).isTrue();

        CliHarness.Run ask = cli.run(env, "ask", "--model", "claude-haiku-4-5", "hello");
        assertThat(ask.exitCode()).as(ask.all()).isZero();
        assertThat(ask.out()).contains("Answered with the stored key.");
        assertThat(anthropic.requests()).isNotEmpty();
        assertThat(anthropic.requests().getLast().header("x-api-key")).isEqualTo(KEY);

        CliHarness.Run doctor = cli.run(env, "doctor", "--json");
        assertThat(doctor.exitCode()).as(doctor.all()).isZero();
        JsonNode anthropicCheck = null;
        for (JsonNode check : HttpTransport.JSON.readTree(doctor.out()).path("checks")) {
            if (check.path("name").asString().equals("anthropic")) anthropicCheck = check;
        }
        assertThat(anthropicCheck).isNotNull();
        assertThat(anthropicCheck.path("status").asString()).isEqualTo("ok");
        assertThat(anthropicCheck.path("detail").asString()).contains("ANTHROPIC_API_KEY from ensemble secrets");

        // The value is in no output and no file of the repository's store.
        StringBuilder everything = new StringBuilder(ask.all()).append(doctor.all());
        everything.append(cli.run(env, "models", "--json").all()).append(cli.run(env, "usage", "--json").all())
                .append(cli.run(env, "config", "show").all());
        assertThat(everything.toString()).doesNotContain(KEY);
        try (Stream<Path> files = Files.walk(cli.repo.resolve(".ensemble"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(KEY);
            }
        }
    }

    @Test
    void theEnvironmentVariableWinsOverTheStoredKey() {
        assertThat(cli.runWithInput(env, KEY, "secrets", "set", "ANTHROPIC_API_KEY").exitCode()).isZero();
        Map<String, String> withVariable = new HashMap<>(env);
        withVariable.put("ANTHROPIC_API_KEY", "sk-ant-from-environment-1234");
        CliHarness.Run ask = cli.run(withVariable, "ask", "--model", "claude-haiku-4-5", "hello");
        assertThat(ask.exitCode()).as(ask.all()).isZero();
        assertThat(anthropic.requests().getLast().header("x-api-key")).isEqualTo("sk-ant-from-environment-1234");
    }

    @Test
    void rmRemovesItAndTheProviderIsUnusableAgain() {
        assertThat(cli.runWithInput(env, KEY, "secrets", "set", "ANTHROPIC_API_KEY").exitCode()).isZero();
        CliHarness.Run rm = cli.run(env, "secrets", "rm", "ANTHROPIC_API_KEY");
        assertThat(rm.exitCode()).as(rm.all()).isZero();
        assertThat(rm.out()).contains("removed ANTHROPIC_API_KEY");
        assertThat(secrets.resolve("ANTHROPIC_API_KEY")).doesNotExist();
        assertThat(cli.run(env, "secrets", "list").out()).contains("No keys stored");
        assertThat(usable("claude-haiku-4-5")).isFalse();

        CliHarness.Run again = cli.run(env, "secrets", "rm", "ANTHROPIC_API_KEY");
        assertThat(again.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(again.err()).contains("no key ANTHROPIC_API_KEY");
    }

    @Test
    void aValueOnTheCommandLineIsRefusedWithoutRepeatingIt() {
        String pasted = "sk-ant-pasted-on-the-command-line-99";
        for (String[] args : new String[][] {{"secrets", "set", "ANTHROPIC_API_KEY", pasted},
                {"secrets", "set", "ANTHROPIC_API_KEY", "--value=" + pasted}, {"secrets", "set", "--value", pasted, "ANTHROPIC_API_KEY"}}) {
            CliHarness.Run run = cli.runWithInput(env, KEY, args);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).contains("never the value").contains("shell history").contains("Nothing was stored");
            assertThat(run.all()).doesNotContain(pasted);
            assertThat(secrets).doesNotExist();
        }
    }

    @Test
    void badNamesAndBadValuesAreRefusedAndNothingIsStored() {
        assertThat(cli.runWithInput(env, KEY, "secrets", "set", "../../etc/x").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.runWithInput(env, KEY, "secrets", "set", "9LIVES").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.runWithInput(env, "", "secrets", "set", "ANTHROPIC_API_KEY").err()).contains("no value for ANTHROPIC_API_KEY");
        assertThat(cli.runWithInput(env, "short", "secrets", "set", "ANTHROPIC_API_KEY").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.runWithInput(env, "sk-line-one\nsk-line-two", "secrets", "set", "ANTHROPIC_API_KEY").exitCode())
                .isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.run(env, "secrets", "set").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(secrets).doesNotExist();
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"set", "list", "rm"}) {
            CliHarness.Run help = cli.run(env, "secrets", sub, "--help");
            assertThat(help.exitCode()).isZero();
            assertThat(help.out()).contains("Usage: ensemble secrets " + sub);
        }
        assertThat(cli.run(env, "secrets", "--help").out()).contains("keychain").contains("pass").contains("0600");
    }

    private boolean usable(String model) {
        JsonNode root = HttpTransport.JSON.readTree(cli.run(env, "models", "--json").out());
        for (JsonNode m : root.path("models")) if (m.path("id").asString().equals(model)) return m.path("usable").asBoolean();
        throw new AssertionError(model + " not listed");
    }
}
