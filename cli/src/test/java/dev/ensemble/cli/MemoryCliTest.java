package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.memory.NoteDraft;
import dev.ensemble.engine.memory.NoteKind;
import dev.ensemble.engine.memory.SharedMemory;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble memory add|list|search` against the repository's store. */
class MemoryCliTest {
    @TempDir Path dir;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
    }

    @Test
    void addListAndSearchNotes() {
        CliHarness.Run empty = cli.run("memory", "list");
        assertThat(empty.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(empty.out()).startsWith("No notes.");

        CliHarness.Run added = cli.run("memory", "add", "--kind", "convention", "--tags", "style,Java", "Records", "for", "value", "types.");
        assertThat(added.exitCode()).as(added.all()).isEqualTo(ExitCodes.OK);
        assertThat(added.out()).isEqualTo("Added note #1 (convention).\n");
        assertThat(cli.run("memory", "add", "The database is SQLite by default.").exitCode()).isEqualTo(ExitCodes.OK);
        // A note a model wrote in a run, as the orchestrator stores it.
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            new SharedMemory(store).add(new NoteDraft("run-9", "planner", "claude-sonnet-4-5", "anthropic", NoteKind.DECISION,
                    "Flyway migrates the database schema.", List.of()));
        }

        CliHarness.Run list = cli.run("memory", "list");
        assertThat(list.out()).containsSubsequence("#3", "decision by claude-sonnet-4-5, planner (anthropic)", "run run-9",
                "Flyway migrates the database schema.", "#2", "fact by user", "The database is SQLite by default.",
                "#1", "convention by user", "tags style,java", "Records for value types.");
        assertThat(cli.run("memory", "list", "--run", "run-9").out()).contains("#3").doesNotContain("#1");

        JsonNode json = HttpTransport.JSON.readTree(cli.run("memory", "list", "--json", "--limit", "2").out());
        assertThat(json.size()).isEqualTo(2);
        assertThat(json.get(0).path("author").asString()).isEqualTo("claude-sonnet-4-5");
        assertThat(json.get(0).path("vendor").asString()).isEqualTo("anthropic");
        assertThat(json.get(1).path("author").asString()).isEqualTo("user");
        assertThat(json.get(1).path("kind").asString()).isEqualTo("fact");

        // "flyway" is in one note, "database" in two: the rare word decides.
        JsonNode hits = HttpTransport.JSON.readTree(cli.run("memory", "search", "--json", "database flyway").out());
        assertThat(hits.size()).isEqualTo(2);
        assertThat(hits.get(0).path("id").asLong()).isEqualTo(3);
        assertThat(hits.get(0).path("score").asDouble()).isGreaterThan(hits.get(1).path("score").asDouble()).isPositive();
        CliHarness.Run search = cli.run("memory", "search", "database", "flyway", "--limit", "1");
        assertThat(search.out()).matches("(?s)\\d+\\.\\d\\d  #3 .*Flyway migrates the database schema\\.\n").doesNotContain("#2");
        assertThat(cli.run("memory", "search", "kubernetes").out()).isEqualTo("No notes match 'kubernetes'.\n");
    }

    @Test
    void badInputIsRejectedAndSecretsAreMasked() {
        CliHarness.Run badKind = cli.run("memory", "add", "--kind", "rumour", "text");
        assertThat(badKind.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badKind.err()).contains("expected fact, decision");
        assertThat(cli.run("memory", "list", "--limit", "0").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.run("memory", "add").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);

        String secret = "sk-cli-memory-" + "z".repeat(20);
        Redactor.global().register(secret);
        assertThat(cli.run("memory", "add", "--run", "run-1", "token " + secret).out()).isEqualTo("Added note #1 (fact) to run run-1.\n");
        CliHarness.Run list = cli.run("memory", "list", "--json");
        assertThat(list.out()).doesNotContain(secret).contains("token " + Redactor.MASK);
    }
}
