package dev.ensemble.engine.transcript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.enforce.Enforcer;
import dev.ensemble.agents.enforce.Policy;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.engine.judge.Judge;
import dev.ensemble.engine.judge.JudgeSettings;
import dev.ensemble.engine.memory.SharedMemory;
import dev.ensemble.engine.orchestrate.AgentTaskExecutor;
import dev.ensemble.engine.orchestrate.Orchestrator;
import dev.ensemble.engine.report.ReportJson;
import dev.ensemble.engine.report.TaskLine;
import dev.ensemble.engine.run.RunListener;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.run.SchedulerSettings;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A scheduled run of fake agents through the orchestrator: one transcript per attempt with every
 * event, the reviews, the report listing the files, and a crash then resume that keeps the
 * interrupted attempt's lines and redoes no accepted task.
 */
class RunTranscriptsTest {
    static final String KEY = "sk-planted-run-5e8d2b7c4a";
    static final ModelSpec MODEL = ScriptedChatModel.spec("coder", "vendor-a");
    static final ProviderSpec PROVIDER = new ProviderSpec("scripted", WireProtocol.OLLAMA, "http://127.0.0.1:1", Optional.empty(), true);

    @TempDir Path repo;
    Store store;

    @BeforeEach
    void setUp() throws Exception {
        git("init", "-q", "-b", "main");
        Files.writeString(repo.resolve("README.md"), "# demo\n");
        git("add", "-A");
        git("-c", "user.email=dev@example.com", "-c", "user.name=Dev", "commit", "-q", "-m", "initial");
        store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        Redactor.global().register(KEY);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    static PlanTask task(String id, String... dependsOn) {
        return new PlanTask(id, "Task " + id, TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(),
                List.of("src/" + id + ".txt"), List.of(dependsOn), "the file exists", false, "write src/" + id + ".txt");
    }

    /** An agent that emits one event of every kind, writes its task's file, and behaves per (task, call) as the test says. */
    static class FakeAgent implements Agent {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Set<String> failFirst;
        final Set<String> killFirst;

        FakeAgent(Set<String> failFirst, Set<String> killFirst) {
            this.failFirst = failFirst;
            this.killFirst = killFirst;
        }

        @Override public String name() {
            return "fake";
        }

        @Override public AgentInfo detect() {
            return new AgentInfo("fake", Optional.empty(), "1", true, "", Set.of(WireProtocol.OLLAMA));
        }

        @Override public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
            int call = calls.computeIfAbsent(task.taskId(), k -> new AtomicInteger()).incrementAndGet();
            Instant now = Instant.now();
            listener.onEvent(new AgentEvent.Message(now, "working on " + task.taskId() + " (call " + call + ")"));
            if (call == 1 && killFirst.contains(task.taskId())) throw new Killed();
            listener.onEvent(new AgentEvent.ToolUse(now, "write_file", "{\"path\":\"src/" + task.taskId() + ".txt\"}"));
            write(workspace.directory().resolve("src/" + task.taskId() + ".txt"), task.taskId() + "\n");
            listener.onEvent(new AgentEvent.CommandRun(now, "cat src/" + task.taskId() + ".txt", 0, task.taskId()));
            listener.onEvent(new AgentEvent.Error(now, "a hiccup, key " + KEY));
            listener.onEvent(new AgentEvent.Raw(now, "@@ unparsed"));
            boolean fail = call == 1 && failFirst.contains(task.taskId());
            return new AgentResult(fail ? AgentResult.Status.FAILED : AgentResult.Status.SUCCEEDED, "done " + task.taskId(), List.of(),
                    new Usage(100, 10, 0), 0.001, java.util.OptionalDouble.of(0.001), Optional.of("session-" + task.taskId() + "-" + call), fail ? 1 : 0,
                    Duration.ofMillis(5), fail ? "tests red" : "", List.of());
        }

        private static void write(Path file, String text) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Stands for a kill -9: an Error stops the run as a crash would, leaving the store for a resume. */
    static final class Killed extends Error {}

    private Orchestrator orchestrator(Agent agent, ScriptedChatModel reviewer) {
        AgentTaskExecutor.Assignment assignment = (task, step) -> step == 0
                ? Optional.of(new AgentTaskExecutor.Choice(agent, MODEL, PROVIDER, Optional.empty()))
                : Optional.empty();
        return new Orchestrator(repo, new Catalog(Map.of(), Map.of(MODEL.id(), MODEL), Map.of()), new Enforcer(Policy.DEFAULT),
                new RunStore(store), new Ledger(store), new SharedMemory(store), assignment,
                implementer -> new Judge(JudgeSettings.defaults().withTestCommand("true"), Optional.of(reviewer)),
                new SchedulerSettings(1, 2, 0), Duration.ofMinutes(1), RunListener.NONE, id -> AgentListener.NONE);
    }

    private static ScriptedChatModel reviewer() {
        return new ScriptedChatModel("reviewer-model", "{\"verdict\":\"pass\",\"reasons\":[\"fine, and " + KEY + "\"]}");
    }

    private Path session(String file) {
        return repo.resolve(".ensemble/sessions/run-1/" + file);
    }

    private static List<String> kinds(Path file) throws Exception {
        return SessionTranscriptsTest.kinds(file);
    }

    @Test
    void everyAttemptGetsATranscriptWithEveryEventAndEveryReviewIsKeptAndReported() throws Exception {
        Plan plan = new Plan("write two files", List.of(), List.of(task("a"), task("b", "a")));
        Orchestrator.Outcome outcome = orchestrator(new FakeAgent(Set.of("b"), Set.of()), reviewer()).run("run-1", plan, "HEAD");

        assertThat(outcome.allPassed()).isTrue();
        List<String> agentKinds = List.of("prompt", "message", "tool_use", "command", "error", "raw", "result", "outcome");
        assertThat(kinds(session("a-a1-f0.jsonl"))).isEqualTo(agentKinds);
        assertThat(kinds(session("b-a1-f0.jsonl"))).isEqualTo(agentKinds);
        assertThat(kinds(session("b-a2-f0.jsonl"))).isEqualTo(agentKinds);
        List<JsonNode> failed = SessionTranscriptsTest.lines(session("b-a1-f0.jsonl"));
        assertThat(failed.get(6).path("data").path("status").asString()).isEqualTo("failed");
        assertThat(failed.get(6).path("data").path("session_id").asString()).isEqualTo("session-b-1");
        assertThat(failed.get(7).path("data").path("status").asString()).isEqualTo("failed");
        assertThat(failed.get(7).path("content").asString()).contains("tests red");
        assertThat(SessionTranscriptsTest.lines(session("b-a2-f0.jsonl")).get(0).path("content").asString())
                .contains("A previous attempt failed");
        assertThat(failed).allSatisfy(l -> {
            assertThat(l.path("agent").asString()).isEqualTo("fake");
            assertThat(l.path("model").asString()).isEqualTo("coder");
            assertThat(l.path("role").asString()).isEqualTo("implementer");
        });

        // Only the attempt that got past the agent was reviewed: a note naming it, then the exchange.
        assertThat(kinds(session("b-review.jsonl"))).containsExactly("note", "request", "response");
        List<JsonNode> review = SessionTranscriptsTest.lines(session("b-review.jsonl"));
        assertThat(review.get(0).path("data").path("attempt_transcript").asString()).isEqualTo("b-a2-f0.jsonl");
        assertThat(review.get(1).path("content").get(1).path("text").asString()).startsWith("Task b:");
        assertThat(review.get(2).path("model").asString()).isEqualTo("reviewer-model");
        assertThat(review.get(2).path("role").asString()).isEqualTo("reviewer");

        assertThat(outcome.report().tasks()).extracting(TaskLine::transcripts).containsExactly(
                List.of(".ensemble/sessions/run-1/a-a1-f0.jsonl", ".ensemble/sessions/run-1/a-review.jsonl"),
                List.of(".ensemble/sessions/run-1/b-a1-f0.jsonl", ".ensemble/sessions/run-1/b-a2-f0.jsonl",
                        ".ensemble/sessions/run-1/b-review.jsonl"));
        String json = Files.readString(repo.resolve(".ensemble/reports/run-1.json"));
        assertThat(ReportJson.read(json).tasks().get(1).transcripts()).hasSize(3);
        assertThat(Files.readString(outcome.reportMarkdown())).contains("## Transcripts")
                .contains("`.ensemble/sessions/run-1/b-a2-f0.jsonl`");

        try (var files = Files.list(session(""))) {
            for (Path file : files.toList()) assertThat(Files.readString(file)).as(file.toString()).doesNotContain(KEY);
        }
    }

    @Test
    void aKilledRunResumedKeepsTheInterruptedAttemptsLinesAndRedoesNoAcceptedTask() throws Exception {
        Plan plan = new Plan("write three files", List.of(), List.of(task("a"), task("b", "a"), task("c", "b")));
        FakeAgent agent = new FakeAgent(Set.of(), Set.of("c"));
        assertThatThrownBy(() -> orchestrator(agent, reviewer()).run("run-1", plan, "HEAD")).isInstanceOf(Killed.class);
        assertThat(kinds(session("c-a1-f0.jsonl"))).containsExactly("prompt", "message");
        String aBefore = Files.readString(session("a-a1-f0.jsonl"));
        String cBefore = Files.readString(session("c-a1-f0.jsonl"));

        Orchestrator.Outcome outcome = orchestrator(agent, reviewer()).resume("run-1");

        assertThat(outcome.allPassed()).isTrue();
        assertThat(agent.calls.get("a")).hasValue(1);
        assertThat(Files.readString(session("a-a1-f0.jsonl"))).isEqualTo(aBefore);
        assertThat(Files.readString(session("c-a1-f0.jsonl"))).startsWith(cBefore);
        assertThat(kinds(session("c-a1-f0.jsonl"))).containsExactly("prompt", "message",
                "resumed", "prompt", "message", "tool_use", "command", "error", "raw", "result", "outcome");
        assertThat(outcome.report().tasks().get(2).transcripts()).containsExactly(
                ".ensemble/sessions/run-1/c-a1-f0.jsonl", ".ensemble/sessions/run-1/c-review.jsonl");
    }

    /**
     * An agent with sessions: its first try at "b" names its session, writes half the file and is
     * killed; the resume must hand it that session in the worktree it left, with the half file.
     */
    static final class SessionAgent implements Agent {
        final List<Optional<String>> resumedWith = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> prompts = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger killed = new AtomicInteger();

        @Override public String name() {
            return "fake";
        }

        @Override public AgentInfo detect() {
            return new AgentInfo("fake", Optional.empty(), "1", true, "", Set.of(WireProtocol.OLLAMA));
        }

        @Override public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
            Path file = workspace.directory().resolve("src/" + task.taskId() + ".txt");
            String session = "sess-" + task.taskId();
            if (task.taskId().equals("b")) {
                resumedWith.add(task.resumeSessionId());
                prompts.add(task.prompt());
            }
            listener.onEvent(new AgentEvent.Session(Instant.now(), session));
            if (task.taskId().equals("b") && killed.getAndIncrement() == 0) {
                FakeAgent.write(file, "part 1\n");
                throw new Killed();
            }
            try {
                String before = Files.exists(file) ? Files.readString(file) : "";
                FakeAgent.write(file, before + (task.taskId().equals("b") ? "part 2\n" : task.taskId() + "\n"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new AgentResult(AgentResult.Status.SUCCEEDED, "done", List.of(), new Usage(10, 1, 0), 0.0001, java.util.OptionalDouble.of(0.0001),
                    Optional.of(session), 0, Duration.ofMillis(1), "", List.of());
        }
    }

    @Test
    void aKilledAttemptResumesItsAgentSessionInTheWorktreeItLeft() throws Exception {
        Plan plan = new Plan("write two files", List.of(), List.of(task("a"), task("b", "a")));
        SessionAgent agent = new SessionAgent();
        assertThatThrownBy(() -> orchestrator(agent, reviewer()).run("run-1", plan, "HEAD")).isInstanceOf(Killed.class);

        // The session was in the store the moment the agent named it, and the worktree is where the kill left it.
        var interrupted = new RunStore(store).load("run-1").tasks().stream().filter(t -> t.taskId().equals("b")).findFirst().orElseThrow();
        assertThat(interrupted.sessionId()).contains("sess-b");
        assertThat(kinds(session("b-a1-f0.jsonl"))).contains("session");

        Orchestrator.Outcome outcome = orchestrator(agent, reviewer()).resume("run-1");

        assertThat(outcome.allPassed()).as(outcome.report().toString()).isTrue();
        assertThat(agent.resumedWith).containsExactly(Optional.empty(), Optional.of("sess-b"));
        assertThat(agent.prompts.get(1)).startsWith("ensemble was restarted while you worked on this task");
        assertThat(show("ensemble/run-1/_run:src/b.txt")).isEqualTo("part 1\npart 2\n");
        assertThat(repo.resolve(".ensemble/worktrees")).isEmptyDirectory();
    }

    /**
     * Fails its first try at every task: at "h" with tests red after writing half the file, at "r" by
     * also editing README.md, which it does not own. Records what its second try found.
     */
    static final class HandOverAgent implements Agent {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Map<String, String> secondPrompt = new ConcurrentHashMap<>();
        final Map<String, Boolean> secondFoundFile = new ConcurrentHashMap<>();

        @Override public String name() {
            return "fake";
        }

        @Override public AgentInfo detect() {
            return new AgentInfo("fake", Optional.empty(), "1", true, "", Set.of(WireProtocol.OLLAMA));
        }

        @Override public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
            int call = calls.computeIfAbsent(task.taskId(), k -> new AtomicInteger()).incrementAndGet();
            Path file = workspace.directory().resolve("src/" + task.taskId() + ".txt");
            try {
                if (call == 1) {
                    FakeAgent.write(file, "part 1\n");
                    if (task.taskId().equals("r")) FakeAgent.write(workspace.directory().resolve("README.md"), "taken over\n");
                    return new AgentResult(AgentResult.Status.FAILED, "", List.of(), Usage.ZERO, 0, java.util.OptionalDouble.of(0), Optional.empty(), 1,
                            Duration.ofMillis(1), "tests red", List.of());
                }
                secondPrompt.put(task.taskId(), task.prompt());
                secondFoundFile.put(task.taskId(), Files.exists(file));
                FakeAgent.write(file, (Files.exists(file) ? Files.readString(file) : "") + "part 2\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new AgentResult(AgentResult.Status.SUCCEEDED, "done", List.of(), Usage.ZERO, 0, java.util.OptionalDouble.of(0), Optional.empty(), 0,
                    Duration.ofMillis(1), "", List.of());
        }
    }

    @Test
    void aRetryStartsFromTheFailedAttemptsChangeUnlessTheEnforcerRejectedIt() throws Exception {
        Plan plan = new Plan("two files", List.of(), List.of(task("h"), task("r")));
        HandOverAgent agent = new HandOverAgent();

        Orchestrator.Outcome outcome = orchestrator(agent, reviewer()).run("run-1", plan, "HEAD");

        assertThat(outcome.allPassed()).as(outcome.report().toString()).isTrue();
        // Tests red: the retry finds the first try's half in its worktree and is told whose it is.
        assertThat(agent.secondFoundFile).containsEntry("h", true);
        assertThat(agent.secondPrompt.get("h")).contains("A previous attempt failed: fake failed: tests red")
                .contains("That attempt (fake, coder) left its changes in this working tree, uncommitted: src/h.txt");
        assertThat(show("ensemble/run-1/_run:src/h.txt")).isEqualTo("part 1\npart 2\n");
        // Rejected for a file it does not own: the retry starts clean, without the offending change.
        assertThat(agent.secondFoundFile).containsEntry("r", false);
        assertThat(agent.secondPrompt.get("r")).doesNotContain("left its changes");
        assertThat(show("ensemble/run-1/_run:src/r.txt")).isEqualTo("part 2\n");
        assertThat(show("ensemble/run-1/_run:README.md")).isEqualTo("# demo\n");
        // Nothing is kept for tasks that passed.
        Process refs = new ProcessBuilder("git", "for-each-ref", "refs/ensemble/").directory(repo.toFile()).start();
        assertThat(new String(refs.getInputStream().readAllBytes())).isEmpty();
    }

    @Test
    void cliAgentRunsKeepToTheirProvidersMaxConcurrency() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Agent cli = new FakeAgent(Set.of(), Set.of()) {
            @Override public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
                most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(200);
                    return super.run(task, workspace, listener);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
        ProviderSpec limited = PROVIDER.withMaxConcurrency(1);
        Catalog catalog = new Catalog(Map.of(limited.name(), limited), Map.of(MODEL.id(), MODEL), Map.of());
        AgentTaskExecutor.Assignment assignment = (task, step) -> step == 0
                ? Optional.of(new AgentTaskExecutor.Choice(cli, MODEL, limited, Optional.empty())) : Optional.empty();
        Orchestrator orchestrator = new Orchestrator(repo, catalog, new Enforcer(Policy.DEFAULT), new RunStore(store), new Ledger(store),
                new SharedMemory(store), assignment,
                implementer -> new Judge(JudgeSettings.defaults().withTestCommand("true"), Optional.of(reviewer())),
                new SchedulerSettings(3, 1, 0), Duration.ofMinutes(1), RunListener.NONE, id -> AgentListener.NONE,
                dev.ensemble.llm.ProviderGates.of(catalog));

        Orchestrator.Outcome outcome = orchestrator.run("run-1", new Plan("three files", List.of(), List.of(task("a"), task("b"), task("c"))), "HEAD");

        assertThat(outcome.allPassed()).as(outcome.report().toString()).isTrue();
        assertThat(most.get()).as("three tasks may run at once, their provider serves one").isEqualTo(1);
    }

    private String show(String object) throws Exception {
        Process process = new ProcessBuilder("git", "show", object).directory(repo.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).isZero();
        return out;
    }

    private void git(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
}
