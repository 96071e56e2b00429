package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * kill -9 of a whole `ensemble go` (a child JVM running {@link Main}, and every process under it)
 * during planning, in the middle of a task and in the middle of a merge, then `ensemble resume`:
 * the run ends as an uninterrupted run of the same plan does (task statuses, the run branch's
 * tree, the report's summary), no task accepted before the kill runs again, and no worktree or
 * git lock is left behind. About a minute (four `go` runs, two child JVMs): in the slow profile
 * ({@code -Pslow -Dgroups=slow}).
 */
@Tag("slow")
class GoCrashResumeTest {
    private static final Duration STALL = Duration.ofSeconds(120);
    private static final String REQUEST = "add greeting";

    /** The uninterrupted run everything is compared with. */
    private record Reference(Map<String, String> statuses, String tree, JsonNode summary, long passesLearned) {}

    private static Reference reference;

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    Process child;

    @BeforeAll
    static void uninterruptedRun(@TempDir Path referenceDir) throws Exception {
        try (ScriptedModelServer refServer = ScriptedModelServer.start()) {
            CliHarness ref = setUp(refServer, referenceDir);
            scriptTheTeam(refServer);
            CliHarness.Run run = ref.run("go", "--parallel", "1", "--json", REQUEST);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(1);  // the sneaky task's lock file is rejected
            JsonNode report = HttpTransport.JSON.readTree(run.out());
            reference = new Reference(statuses(report), tree(ref, report.path("run_id").asString()), report.path("summary"),
                    passesLearned(ref));
        }
        assertThat(reference.statuses()).containsEntry("tests", "passed").containsEntry("impl-a", "passed")
                .containsEntry("impl-b", "passed").containsEntry("sneaky", "failed");
    }

    @BeforeEach
    void start() throws Exception {
        server = ScriptedModelServer.start();
        cli = setUp(server, dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (child != null) kill9(child);
        server.close();
    }

    @Test
    void killedWhilePlanningResumeLastPlansAgainAndFinishes() throws Exception {
        server.rule(Rule.fault(new Fault.Stall(STALL)).whenTools(false).whenPrompt("^Request:").times(1).named("stalled planner"));
        scriptTheTeam(server);
        child = startGo();
        await("the planner was asked", () -> count(server.requests(), "^Request:", false) == 1);
        kill9(child);

        java.util.regex.Matcher announced = java.util.regex.Pattern.compile("run (run-[0-9a-f-]+): planning").matcher(childOutput());
        assertThat(announced.find()).as("the run id is given before the planner answers: %s", childOutput()).isTrue();
        CliHarness.Run resumed = cli.run("resume", "--last", "--json");
        assertThat(resumed.err()).contains("run " + announced.group(1) + ": stopped while planning; planning again");
        assertSameAsReference(resumed);
        assertThat(HttpTransport.JSON.readTree(resumed.out()).path("run_id").asString()).isEqualTo(announced.group(1));
        assertThat(count(server.requests(), "^Request:", false)).as("planned once more").isEqualTo(2);
    }

    @Test
    void killedMidTaskResumeRunsOnlyWhatWasNotAccepted() throws Exception {
        server.rule(Rule.fault(new Fault.Stall(STALL)).whenTools(true).whenToolResult(false).whenPrompt("MARK-B").times(1)
                .named("stalled impl-b"));
        scriptTheTeam(server);
        child = startGo();
        // One task at a time in plan order: tests and impl-a are accepted before impl-b's agent is asked.
        await("impl-b's agent was asked", () -> agentCalls(server.requests(), "MARK-B") == 1);
        kill9(child);
        Map<String, Long> before = agentCallsPerTask(server.requests());
        assertThat(before).containsEntry("MARK-TESTS", 2L).containsEntry("MARK-A", 2L).containsEntry("MARK-LOCK", 0L);

        CliHarness.Run resumed = cli.run("resume", "--last", "--json");
        assertSameAsReference(resumed);
        Map<String, Long> after = agentCallsPerTask(server.requests());
        assertThat(after.get("MARK-TESTS")).as("accepted before the kill: not run again").isEqualTo(before.get("MARK-TESTS"));
        assertThat(after.get("MARK-A")).as("accepted before the kill: not run again").isEqualTo(before.get("MARK-A"));
        assertThat(after.get("MARK-B")).as("interrupted: run again").isGreaterThan(before.get("MARK-B"));
        assertThat(after.get("MARK-LOCK")).isPositive();
    }

    /**
     * ensemble runs git with hooks off, so the pause is a {@code git} on the child's PATH that runs
     * the real one and, once the tests task's merge has moved the run branch, stops there: the
     * merge is in git, the store still says the task is running.
     */
    @Test
    void killedInAMergeResumeKeepsTheLandedWorkWithoutRunningTheAgentAgain() throws Exception {
        scriptTheTeam(server);
        Path paused = dir.resolve("paused-in-merge");
        child = startGo(Map.of("PATH", gitThatPausesAfterMerging(paused) + ":" + System.getenv("PATH")));
        await("the tests task's merge moved the run branch", () -> Files.exists(paused));
        kill9(child);
        Map<String, Long> before = agentCallsPerTask(server.requests());
        assertThat(before).containsEntry("MARK-TESTS", 2L).containsEntry("MARK-A", 0L);

        CliHarness.Run resumed = cli.run("resume", "--last", "--json");
        assertSameAsReference(resumed);
        assertThat(agentCallsPerTask(server.requests()).get("MARK-TESTS")).as("its work had landed: not run again")
                .isEqualTo(before.get("MARK-TESTS"));
    }

    // ---- the team and the child ----

    private static CliHarness setUp(ScriptedModelServer server, Path dir) throws Exception {
        CliHarness cli = new CliHarness(dir);
        cli.repoConfig("""
                default_model: local-scripted
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  local-scripted: %s
                local_only: true
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 8)));
        server.localModels(List.of("local-scripted"));
        return cli;
    }

    /** The planner, reviewer and builtin agent of GoCommandTest; faults are added before these, so they win once. */
    private static void scriptTheTeam(ScriptedModelServer server) {
        server.rule(Rule.text(GoCommandTest.PLAN).whenTools(false).whenPrompt("^Request:").named("planner"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        write(server, "MARK-TESTS", "tests/greeting_test.txt", "assert greets\\n");
        write(server, "MARK-A", "src/a.txt", "hello\\n");
        write(server, "MARK-B", "src/b.txt", "hi back\\n");
        write(server, "MARK-LOCK", "deps/package-lock.json", "{}");
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true).named("finish"));
    }

    private static void write(ScriptedModelServer server, String marker, String path, String content) {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"" + path + "\",\"content\":\"" + content + "\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt(marker).named("write " + path));
    }

    private Process startGo() throws IOException {
        return startGo(Map.of());
    }

    private Process startGo(Map<String, String> extraEnv) throws IOException {
        return startEnsemble(cli, dir.resolve("child.out"), extraEnv, "go", "--parallel", "1", REQUEST);
    }

    /** ensemble in its own JVM, in the repository, with the harness's user configuration and nothing from ENSEMBLE_*. */
    static Process startEnsemble(CliHarness cli, Path output, Map<String, String> extraEnv, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(cli.repo.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("ENSEMBLE_"));
        builder.environment().put("XDG_CONFIG_HOME", cli.userConfig.getParent().getParent().toString());
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    /** SIGKILL (destroyForcibly on Linux) to the JVM and every process it started: nothing gets to clean up. */
    static void kill9(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(child.isAlive()).as("ensemble go still running before: %s; its output:\n%s", what, childOutput()).isTrue();
            assertThat(System.nanoTime()).as("waited for: %s; output:\n%s", what, childOutput()).isLessThan(deadline);
            Thread.sleep(25);
        }
    }

    private String childOutput() {
        try {
            return Files.readString(dir.resolve("child.out"));
        } catch (IOException e) {
            return "(none)";
        }
    }

    /** A git that behaves as git, except that after the update-ref putting the tests into a run branch it marks and sleeps. */
    private Path gitThatPausesAfterMerging(Path marker) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("pausing-git"));
        String realGit = new String(new ProcessBuilder("sh", "-c", "command -v git").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).strip();
        Path git = bin.resolve("git");
        Files.writeString(git, """
                #!/bin/sh
                "%1$s" "$@"
                rc=$?
                if [ $rc -eq 0 ] && [ ! -e "%2$s" ]; then
                  case " $* " in *" update-ref "*)
                    for a in "$@"; do
                      case "$a" in refs/heads/ensemble/*/_run)
                        if "%1$s" -C "%3$s" cat-file -e "$a:tests/greeting_test.txt" 2>/dev/null; then
                          touch "%2$s"; sleep %4$d
                        fi;;
                      esac
                    done;;
                  esac
                fi
                exit $rc
                """.formatted(realGit, marker, cli.repo, STALL.toSeconds()));
        Files.setPosixFilePermissions(git, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    // ---- what the resumed run must equal ----

    private void assertSameAsReference(CliHarness.Run resumed) throws Exception {
        assertThat(resumed.exitCode()).as(resumed.all()).isEqualTo(1);
        JsonNode report = HttpTransport.JSON.readTree(resumed.out());
        String runId = report.path("run_id").asString();
        assertThat(statuses(report)).isEqualTo(reference.statuses());
        assertThat(tree(cli, runId)).as("the run branch's tree").isEqualTo(reference.tree());
        JsonNode summary = report.path("summary");
        for (String field : List.of("tasks", "passed", "failed")) {
            assertThat(summary.path(field).asLong()).as(field).isEqualTo(reference.summary().path(field).asLong());
        }
        long perModel = 0;
        for (JsonNode m : report.path("models")) perModel += m.path("calls").asLong();
        assertThat(summary.path("calls").asLong()).as("calls: the ledger's, per model and in all").isEqualTo(perModel)
                .isGreaterThanOrEqualTo(reference.summary().path("calls").asLong());
        assertThat(cli.run("runs").out()).contains(runId).doesNotContain("running").doesNotContain("planning");
        assertThat(passesLearned(cli)).as("every accepted task's verdict reached the router's evidence").isEqualTo(reference.passesLearned());

        assertThat(cli.git("worktree", "list").strip().lines()).as("only the main working tree").hasSize(1);
        assertThat(cli.git("branch", "--list", "--format=%(refname:short)", "ensemble/*").strip().lines()).as("only the run branch").containsExactly("ensemble/" + runId + "/_run");
        try (Stream<Path> files = Files.walk(cli.repo.resolve(".git"))) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".lock")).toList()).as("git locks").isEmpty();
        }
        assertThat(cli.git("status", "--porcelain", "--untracked-files=no")).as("the user's checkout").isEmpty();
    }

    /** Passing verdicts in the outcome log, which the router learns from. */
    private static long passesLearned(CliHarness cli) {
        long passes = 0;
        for (JsonNode row : HttpTransport.JSON.readTree(cli.run("stats", "--json").out()).path("outcomes").path("by_model_and_kind")) {
            passes += row.path("passes").asLong();
        }
        return passes;
    }

    private static Map<String, String> statuses(JsonNode report) {
        Map<String, String> statuses = new TreeMap<>();
        for (JsonNode task : report.path("tasks")) statuses.put(task.path("id").asString(), task.path("status").asString().toLowerCase(Locale.ROOT));
        return statuses;
    }

    private static String tree(CliHarness cli, String runId) throws Exception {
        return cli.git("rev-parse", "ensemble/" + runId + "/_run^{tree}").strip();
    }

    private static long count(List<RecordedRequest> requests, String promptRegex, boolean tools) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(promptRegex);
        return requests.stream().filter(r -> r.parsed() != null && r.parsed().toolsOffered() == tools
                && p.matcher(r.parsed().lastUserText()).find()).count();
    }

    /** Agent requests that start a task's session (no tool result yet): one per agent run of that task. */
    private static long agentCalls(List<RecordedRequest> requests, String marker) {
        return requests.stream().filter(r -> r.parsed() != null && r.parsed().toolsOffered() && r.body().contains(marker)).count();
    }

    private static Map<String, Long> agentCallsPerTask(List<RecordedRequest> requests) {
        Map<String, Long> counts = new TreeMap<>();
        for (String marker : List.of("MARK-TESTS", "MARK-A", "MARK-B", "MARK-LOCK")) counts.put(marker, agentCalls(requests, marker));
        return counts;
    }
}
