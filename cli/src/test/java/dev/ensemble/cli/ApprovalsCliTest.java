package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Approvals from the command line: a `go` waiting on one (approvals.wait, no console) is released by
 * `ensemble approve` or `ensemble reject` from a second invocation on the same repository; the
 * decision is recorded with who made it; a second answer is refused (exit 2) and changes nothing;
 * --yes records an approval decided by `flag`; policy.approve_paths holds a task owning a flagged path.
 */
class ApprovalsCliTest {
    /** $10 per million tokens: a task's forecast is about $0.10, above the $0.01 threshold. */
    private static final String PRICED = "{ input: 10, output: 10, cached_input: 0, source: test, as_of: 2026-11-01 }";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    Path plan;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        server.localModels(List.of("priced"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/a.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-A").named("write a"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true).named("finish"));
        plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"request\": \"just a\", \"tasks\": [{\"id\": \"impl-a\", \"title\": \"Implement A\", \"kind\": \"coding\","
                + " \"files\": [\"src/a.txt\"], \"acceptance\": \"a\", \"description\": \"MARK-A\"}]}");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private void config(String extra) throws Exception {
        cli.repoConfig("""
                default_model: priced
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  priced: { provider: scripted, wire_name: priced, family: test, context_window: 32768,
                    max_output: 2048, tokens_per_second: 50, local: true, tools: true, pricing: %s,
                    capabilities: { coding: { score: 8, benchmark: test }, review: { score: 8, benchmark: test } } }
                local_only: true
                %s
                """.formatted(server.baseUrl(), PRICED, extra));
    }

    /** `go` in a thread of its own, as in a first terminal. */
    private CompletableFuture<CliHarness.Run> goInBackground(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("go", "--test-command", "true", "--plan", plan.toString()));
        args.addAll(List.of(extra));
        return CompletableFuture.supplyAsync(() -> cli.run(args.toArray(String[]::new)), r -> Thread.ofVirtual().start(r));
    }

    /** Waits, as a person at a second terminal would, until `ensemble approvals --pending` shows one. */
    private JsonNode awaitPending(CompletableFuture<CliHarness.Run> go) throws Exception {
        while (true) {
            CliHarness.Run list = cli.run("approvals", "--pending", "--json");
            assertThat(list.exitCode()).as(list.all()).isZero();
            JsonNode pending = HttpTransport.JSON.readTree(list.out());
            if (!pending.isEmpty()) return pending.get(0);
            assertThat(go).as("go ended before asking").isNotDone();
            Thread.sleep(50);
        }
    }

    private JsonNode approval(String id) {
        CliHarness.Run list = cli.run("approvals", "--json");
        for (JsonNode a : HttpTransport.JSON.readTree(list.out())) if (a.path("id").asString().equals(id)) return a;
        throw new AssertionError("no approval " + id + " in " + list.out());
    }

    @Test
    void aWaitingGoIsReleasedByApproveFromASecondInvocationAndASecondAnswerIsRefused() throws Exception {
        config("budget: { approve_above_usd: 0.01 }\napprovals: { wait: 10m }");
        CompletableFuture<CliHarness.Run> go = goInBackground();
        JsonNode pending = awaitPending(go);
        String id = pending.path("id").asString();
        assertThat(pending.path("kind").asString()).isEqualTo("forecast");
        assertThat(pending.path("run_id").asString()).startsWith("run-");
        assertThat(pending.path("question").asString()).contains("could cost up to $0.10, above budget.approve_above_usd $0.01");
        assertThat(pending.path("default_decision").asString()).isEqualTo("reject");
        assertThat(agentRequests()).as("nothing dispatched while it waits").isEmpty();

        CliHarness.Run approve = cli.run("approve", id, "--reason", "worth it");
        assertThat(approve.exitCode()).as(approve.all()).isZero();
        assertThat(approve.out()).contains("approved " + id);

        CliHarness.Run run = go.get();
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err()).contains("approval " + id, "ensemble approve " + id, "approved by cli (worth it)");
        assertThat(agentRequests()).isNotEmpty();

        JsonNode decided = approval(id);
        assertThat(decided.path("state").asString()).isEqualTo("approved");
        assertThat(decided.path("decided_by").asString()).isEqualTo("cli");
        assertThat(decided.path("reason").asString()).isEqualTo("worth it");
        assertThat(decided.path("decided_at").isString()).isTrue();

        CliHarness.Run again = cli.run("reject", id, "--reason", "changed my mind");
        assertThat(again.exitCode()).as(again.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(again.err()).contains("approval " + id + " was already decided: approved by cli (worth it)", "nothing changed");
        assertThat(approval(id)).isEqualTo(decided);
        assertThat(cli.run("approve", "apr-00000000").err()).contains("no approval apr-00000000");
    }

    @Test
    void aRejectFromAnotherTerminalStopsTheWaitingGoWithNothingDispatched() throws Exception {
        config("budget: { approve_above_usd: 0.01 }\napprovals: { wait: 10m }");
        CompletableFuture<CliHarness.Run> go = goInBackground();
        String id = awaitPending(go).path("id").asString();
        assertThat(cli.run("reject", id).exitCode()).isZero();
        CliHarness.Run run = go.get();
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("not approved (" + id + " rejected by cli)", "nothing was dispatched");
        assertThat(agentRequests()).isEmpty();
        assertThat(cli.git("branch", "--list", "ensemble/*")).isBlank();
    }

    @Test
    void nobodyAnsweringInTimeRejectsAndWithoutWaitNothingIsRecorded() throws Exception {
        config("budget: { approve_above_usd: 0.01 }\napprovals: { wait: 300ms }");
        CliHarness.Run run = cli.run("go", "--plan", plan.toString());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("expired: rejected by timeout", "nothing was dispatched", "ensemble resume run-");
        JsonNode all = HttpTransport.JSON.readTree(cli.run("approvals", "--json").out());
        assertThat(all).hasSize(1);
        assertThat(all.get(0).path("state").asString()).isEqualTo("expired");
        assertThat(all.get(0).path("decided_by").asString()).isEqualTo("timeout");

        config("budget: { approve_above_usd: 0.01 }");
        CliHarness.Run refused = cli.run("go", "--plan", plan.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(HttpTransport.JSON.readTree(cli.run("approvals", "--json").out())).as("today's refusal, unrecorded").hasSize(1);
        assertThat(agentRequests()).isEmpty();
    }

    @Test
    void yesAndApplyRecordApprovalsDecidedByTheFlag() throws Exception {
        config("budget: { approve_above_usd: 0.01 }");
        CliHarness.Run run = cli.run("go", "--yes", "--apply", "--test-command", "true", "--plan", plan.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err()).contains("applied");
        JsonNode all = HttpTransport.JSON.readTree(cli.run("approvals", "--json").out());
        assertThat(all).hasSize(2);
        JsonNode apply = all.get(0);
        JsonNode forecast = all.get(1);
        assertThat(forecast.path("kind").asString()).isEqualTo("forecast");
        assertThat(forecast.path("state").asString()).isEqualTo("approved");
        assertThat(forecast.path("decided_by").asString()).isEqualTo("flag");
        assertThat(forecast.path("reason").asString()).isEqualTo("--yes");
        assertThat(apply.path("kind").asString()).isEqualTo("apply");
        assertThat(apply.path("question").asString()).contains("into your branch main");
        assertThat(apply.path("decided_by").asString()).isEqualTo("flag");
        assertThat(apply.path("reason").asString()).isEqualTo("--apply");
        CliHarness.Run table = cli.run("approvals");
        assertThat(table.out()).contains(forecast.path("id").asString(), "approved by flag (--yes)", "approved by flag (--apply)");
    }

    @Test
    void aTaskOwningAnApprovePathNeedsApprovalBeforeDispatch() throws Exception {
        config("policy: { approve_paths: [\"src/**\"] }");
        CliHarness.Run refused = cli.run("go", "--test-command", "true", "--plan", plan.toString());
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).contains("policy.approve_paths flags task impl-a (owns src/a.txt)", "nothing was dispatched",
                "pass --yes");
        assertThat(agentRequests()).isEmpty();

        CliHarness.Run resumed = cli.run("resume", "--last", "--yes");
        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        assertThat(agentRequests()).isNotEmpty();
        JsonNode all = HttpTransport.JSON.readTree(cli.run("approvals", "--json").out());
        assertThat(all).hasSize(1);
        assertThat(all.get(0).path("kind").asString()).isEqualTo("policy");
        assertThat(all.get(0).path("decided_by").asString()).isEqualTo("flag");
    }

    @Test
    void approvalsInAFreshRepositoryListNothingAndCreateNothing() {
        CliHarness.Run list = cli.run("approvals");
        assertThat(list.exitCode()).as(list.all()).isZero();
        assertThat(list.out()).contains("no approvals yet");
        assertThat(cli.run("approve", "apr-12345678").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.repo.resolve(".ensemble")).doesNotExist();
    }

    private List<RecordedRequest> agentRequests() {
        return server.requests().stream().filter(r -> r.parsed() != null && r.parsed().toolsOffered()).toList();
    }
}
