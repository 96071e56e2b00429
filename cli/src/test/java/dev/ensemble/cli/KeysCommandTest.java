package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble keys create|list|revoke` with the key file in a temporary XDG_DATA_HOME, and `usage --by key`. */
class KeysCommandTest {
    @TempDir Path dir;
    CliHarness cli;
    Map<String, String> env;
    Path keyFile;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
        Path home = dir.resolve("home");
        env = Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve(".config").toString(),
                "XDG_DATA_HOME", home.resolve(".local/share").toString());
        keyFile = home.resolve(".local/share/ensemble/keys.db");
        // No Ollama is asked about a model name the files lack: nothing answers on port 1.
        cli.repoConfig("providers:\n  ollama: { base_url: \"http://127.0.0.1:1\" }\n");
    }

    @Test
    void theSecretIsPrintedOnceAloneAndNeverListedNorWritten() throws Exception {
        CliHarness.Run made = cli.run(env, "keys", "create", "ci-bot", "--budget-usd", "5", "--per", "day",
                "--models", "gpt-5-mini,coding-model", "--rpm", "60", "--expires", "30d");
        assertThat(made.exitCode()).as(made.all()).isZero();
        String secret = made.out().strip();
        assertThat(secret).matches("ens-vk-[0-9A-Za-z]{43}");
        assertThat(made.err()).contains("made key ci-bot (key-", "$5.00 per day, models gpt-5-mini, coding-model, 60 requests a minute, expires ")
                .contains("shown only now").doesNotContain(secret);

        CliHarness.Run list = cli.run(env, "keys", "list");
        assertThat(list.exitCode()).as(list.all()).isZero();
        assertThat(list.out()).contains("ci-bot", "active", "$5.00 per day", "gpt-5-mini,coding-model", "60");
        assertThat(list.all()).doesNotContain(secret).doesNotContain(secret.substring("ens-vk-".length(), 20));

        JsonNode json = HttpTransport.JSON.readTree(cli.run(env, "keys", "list", "--json").out());
        JsonNode key = json.path("keys").get(0);
        assertThat(key.path("name").asString()).isEqualTo("ci-bot");
        assertThat(key.path("id").asString()).startsWith("key-");
        assertThat(key.path("budget_usd").asDouble()).isEqualTo(5.0);
        assertThat(key.path("per").asString()).isEqualTo("day");
        assertThat(key.path("rpm").asInt()).isEqualTo(60);
        assertThat(key.path("status").asString()).isEqualTo("active");
        assertThat(key.has("secret")).isFalse();
        assertThat(json.toString()).doesNotContain(secret);

        // On disk: the file is the user's alone and holds no trace of the secret (nor in its log).
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String disk = new String(Files.readAllBytes(keyFile), StandardCharsets.ISO_8859_1)
                + (Files.exists(Path.of(keyFile + "-wal")) ? new String(Files.readAllBytes(Path.of(keyFile + "-wal")), StandardCharsets.ISO_8859_1) : "");
        assertThat(disk).contains("ci-bot").doesNotContain(secret).doesNotContain(secret.substring("ens-vk-".length()));

        CliHarness.Run revoked = cli.run(env, "keys", "revoke", "ci-bot");
        assertThat(revoked.exitCode()).as(revoked.all()).isZero();
        assertThat(revoked.out()).startsWith("revoked key ci-bot (key-");
        assertThat(cli.run(env, "keys", "list").out()).contains("revoked");
        CliHarness.Run again = cli.run(env, "keys", "revoke", key.path("id").asString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(again.err()).contains("revoked already");
    }

    @Test
    void createJsonCarriesTheSecretAndADateExpiryLastsThroughThatDay() throws Exception {
        CliHarness.Run made = cli.run(env, "keys", "create", "laptop", "--expires", "2099-01-31", "--json");
        assertThat(made.exitCode()).as(made.all()).isZero();
        JsonNode json = HttpTransport.JSON.readTree(made.out());
        assertThat(json.path("secret").asString()).startsWith("ens-vk-");
        assertThat(json.path("expires_at").asString()).isEqualTo("2099-02-01T00:00:00Z");
        assertThat(json.path("budget_usd").isNull()).isTrue();
        assertThat(json.path("models").size()).isZero();
    }

    @Test
    void badInputIsExit2AndMakesNothing() {
        String[][] cases = {
            {"--per", "day"},
            {"--budget-usd", "5", "--per", "week"},
            {"--budget-usd", "0"},
            {"--rpm", "0"},
            {"--models", "no-such-model"},
            {"--expires", "yesterday"},
            {"--expires", "2001-01-01"},
        };
        String[] messages = {"--per needs --budget-usd", "--per: expected day, run, month or total", "--budget-usd must be a positive",
            "--rpm must be a positive", "unknown model or alias no-such-model", "is not a time", "is not in the future"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 3];
            args[0] = "keys";
            args[1] = "create";
            args[2] = "k";
            System.arraycopy(cases[i], 0, args, 3, cases[i].length);
            CliHarness.Run run = cli.run(env, args);
            assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.all()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).as(String.join(" ", args)).contains(messages[i]);
        }
        assertThat(keyFile).doesNotExist();

        CliHarness.Run badName = cli.run(env, "keys", "create", "two words");
        assertThat(badName.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badName.err()).contains("is not a key name", "nothing was made");
        assertThat(cli.run(env, "keys", "create", "dup").exitCode()).isZero();
        CliHarness.Run dup = cli.run(env, "keys", "create", "dup");
        assertThat(dup.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(dup.err()).contains("a key named dup exists already");
        CliHarness.Run unknown = cli.run(env, "keys", "revoke", "nobody");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("no key named nobody");
        CliHarness.Run missingName = cli.run(env, "keys", "create");
        assertThat(missingName.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    }

    @Test
    void listWithNoKeysMakesNoFileAndHelpWorksForEachCommand() {
        CliHarness.Run list = cli.run(env, "keys", "list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).startsWith("No virtual keys in ");
        assertThat(keyFile).doesNotExist();
        for (String command : new String[] {"create", "list", "revoke"}) {
            CliHarness.Run help = cli.run(env, "keys", command, "--help");
            assertThat(help.exitCode()).isZero();
            assertThat(help.out()).contains("Usage: ensemble keys " + command);
        }
        assertThat(cli.run(env, "keys").out()).contains("create", "list", "revoke");
    }

    @Test
    void usageByKeyNamesEachKeyAndLeavesTheSecretOut() throws Exception {
        CliHarness.Run made = cli.run(env, "keys", "create", "ci-bot", "--json");
        JsonNode key = HttpTransport.JSON.readTree(made.out());
        String id = key.path("id").asString();
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            Ledger ledger = new Ledger(store);
            CallContext viaKey = CallContext.of("gateway").withKeyId(id).withClientWire("anthropic");
            ledger.onCall(new CallRecord(Instant.now(), viaKey, "openai", "gpt-5-mini", true, new Usage(1000, 100, 0), 0.25,
                    Duration.ofMillis(800), Duration.ofMillis(90), CallRecord.Outcome.OK, "", ""));
            ledger.onCall(new CallRecord(Instant.now(), CallContext.of("ask"), "openai", "gpt-5-mini", false, new Usage(10, 1, 0),
                    0.5, Duration.ofMillis(100), Duration.ofMillis(100), CallRecord.Outcome.OK, "", ""));
        }
        CliHarness.Run usage = cli.run(env, "usage", "--by", "key");
        assertThat(usage.exitCode()).as(usage.all()).isZero();
        assertThat(usage.out()).contains(id + " ci-bot", "- (not via the gateway)", "$0.25");
        assertThat(usage.all()).doesNotContain(key.path("secret").asString());

        JsonNode json = HttpTransport.JSON.readTree(cli.run(env, "usage", "--by", "key", "--json").out());
        assertThat(json.path("by").asString()).isEqualTo("key");
        JsonNode viaKey = json.path("rows").get(1);
        assertThat(viaKey.path("key").asString()).isEqualTo(id);
        assertThat(viaKey.path("key_name").asString()).isEqualTo("ci-bot");
        assertThat(viaKey.path("mean_time_to_first_token_ms").asDouble()).isEqualTo(90.0);

        assertThat(cli.run(env, "usage", "--by", "wire").out()).contains("anthropic");
    }
}
