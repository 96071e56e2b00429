package dev.ensemble.engine.judge;

import dev.ensemble.agents.process.Confinement;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.plan.SpecFile;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ModelException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides whether a task's change is accepted. Checks, in order: the plan's spec files exist;
 * test files exist for a TDD pair (the test task wrote some; the test_first task has them); the
 * test and lint commands pass in the worktree; a reviewer model reads the diff against the task's
 * acceptance. FAIL when any check fails. Every check runs even after one failed, so a retry
 * prompt gets every reason at once.
 *
 * <p>The reviewer should be of another vendor than the implementer where one is available: the
 * caller, which knows the implementer, chooses it. Without one the review is skipped (a passed
 * check saying so).
 */
public final class Judge {
    static final String REVIEW_SYSTEM = """
            You are the reviewer of a team of coding agents. You read one task's change (a git diff) and decide whether it \
            meets the task's acceptance criteria. Judge only what the diff shows against what the task asks; do not ask \
            for work outside the task. Answer with JSON only, exactly this shape:
            {"verdict": "pass" | "fail", "reasons": ["...", "..."]}
            A "fail" must give at least one concrete reason the implementer can act on.""";
    static final int MAX_DIFF_CHARS = 60_000;

    private final JudgeSettings settings;
    private final Optional<ChatModel> reviewer;

    public Judge(JudgeSettings settings, Optional<ChatModel> reviewer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reviewer = Objects.requireNonNull(reviewer, "reviewer");
    }

    /** The same judge with its reviewer model wrapped, e.g. to keep the review's transcript. */
    public Judge withReviewer(java.util.function.UnaryOperator<ChatModel> wrap) {
        return new Judge(settings, reviewer.map(wrap));
    }

    public JudgeVerdict judge(JudgeInput input) {
        return judge(input, CallContext.of("go"));
    }

    /**
     * As {@link #judge(JudgeInput)}, the reviewer's calls recorded under {@code context} (its run id
     * and command) with the task's id and the reviewer role, so the run's ledger rows include them.
     */
    public JudgeVerdict judge(JudgeInput input, CallContext context) {
        List<Check> checks = new ArrayList<>();
        checks.add(specs(input));
        tests(input).ifPresent(checks::add);
        checks.add(testCommand(input));
        settings.lintCommand().ifPresent(lint -> checks.add(command("lint", lint, input.worktree())));
        checks.add(review(input, context.withRun(context.runId(), input.task().id()).withRole("reviewer")));
        return JudgeVerdict.of(checks);
    }

    private static Check specs(JudgeInput input) {
        List<SpecFile> specs = input.plan().specs();
        if (specs.isEmpty()) return Check.pass("specs", "the plan has no spec files");
        List<String> missing = specs.stream().map(SpecFile::path)
                .filter(path -> !Files.isRegularFile(input.worktree().resolve(path))).toList();
        return missing.isEmpty()
                ? Check.pass("specs", specs.size() + " spec file(s) present")
                : Check.fail("specs", "missing spec file(s) in the worktree: " + String.join(", ", missing));
    }

    /**
     * TDD: the test task must have written test files; the test_first task must have tests to pass,
     * its own or those its test task owns. Other tasks get no test-file check.
     */
    private static Optional<Check> tests(JudgeInput input) {
        PlanTask task = input.task();
        List<String> changedTests = input.changedFiles().stream().filter(PlanValidator::isTestPath).toList();
        if (task.testFirst()) {
            if (!changedTests.isEmpty()) return Optional.of(Check.pass("test files", "changed test files: " + String.join(", ", changedTests)));
            List<String> existing = existingTestFiles(input.worktree(), testTasksOf(input.plan(), task));
            return Optional.of(existing.isEmpty()
                    ? Check.fail("test files", "task '" + task.id() + "' is test_first, but no test files exist: none among its changed "
                            + "files, none written by the tasks it depends on")
                    : Check.pass("test files", "tests from the tasks it depends on: " + String.join(", ", existing)));
        }
        if (isTestTask(input.plan(), task)) {
            return Optional.of(changedTests.isEmpty()
                    ? Check.fail("test files", "task '" + task.id() + "' writes the tests for a test_first task, but its change "
                            + "contains no test files (changed: " + (input.changedFiles().isEmpty() ? "nothing" : String.join(", ", input.changedFiles())) + ")")
                    : Check.pass("test files", "changed test files: " + String.join(", ", changedTests)));
        }
        return Optional.empty();
    }

    /** A coding task owning test paths that some test_first task depends on, directly or not. */
    private static boolean isTestTask(Plan plan, PlanTask task) {
        if (task.kind() != TaskKind.CODING || task.files().stream().noneMatch(PlanValidator::isTestPath)) return false;
        return plan.tasks().stream().filter(PlanTask::testFirst).anyMatch(t -> testTasksOf(plan, t).contains(task));
    }

    private static List<PlanTask> testTasksOf(Plan plan, PlanTask testFirst) {
        List<PlanTask> found = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> queue = new ArrayList<>(testFirst.dependsOn());
        while (!queue.isEmpty()) {
            String id = queue.removeLast();
            if (!seen.add(id)) continue;
            plan.task(id).ifPresent(dep -> {
                if (dep.kind() == TaskKind.CODING && dep.files().stream().anyMatch(PlanValidator::isTestPath)) found.add(dep);
                queue.addAll(dep.dependsOn());
            });
        }
        return found;
    }

    /** Files in the worktree that match a test path owned by one of the tasks. */
    private static List<String> existingTestFiles(Path root, List<PlanTask> owners) {
        List<PathMatcher> matchers = owners.stream().flatMap(t -> t.files().stream()).filter(PlanValidator::isTestPath)
                .map(Judge::matcher).toList();
        if (matchers.isEmpty()) return List.of();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(root::relativize)
                    .filter(p -> !p.startsWith(".git"))
                    .filter(p -> matchers.stream().anyMatch(m -> m.matches(p)))
                    .map(p -> p.toString().replace('\\', '/')).sorted().limit(20).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    /** An owned path: a glob, a file, or a folder (everything under it). */
    private static PathMatcher matcher(String owned) {
        String pattern = owned.strip().replaceFirst("^\\./", "");
        if (pattern.endsWith("/")) pattern = pattern + "**";
        var fs = FileSystems.getDefault();
        PathMatcher exact = fs.getPathMatcher("glob:" + pattern);
        PathMatcher under = fs.getPathMatcher("glob:" + pattern + "/**");
        return p -> exact.matches(p) || under.matches(p);
    }

    private Check testCommand(JudgeInput input) {
        Optional<String> command = settings.testCommand().or(() -> TestCommands.detect(input.worktree()));
        if (command.isEmpty()) {
            return settings.requireTests()
                    ? Check.fail("tests", "no test command detected (none configured, and no pom.xml, build.gradle, package.json with "
                            + "a test script, pytest project, go.mod or Cargo.toml) and tests are required")
                    : Check.pass("tests", "no test command detected; not required");
        }
        return command("tests", command.get(), input.worktree());
    }

    private Check command(String name, String command, Path worktree) {
        CommandRun run = CommandRun.run(command, Confinement.forWorktree(settings.launcher(), worktree, settings.launcher().judgeNetwork()),
                settings.commandTimeout(), settings.outputTailChars());
        if (run.ok()) return Check.pass(name, "`" + command + "` passed");
        String why = run.timedOut()
                ? "`" + command + "` timed out after " + settings.commandTimeout().toSeconds() + " s and was killed"
                : "`" + command + "` failed (exit code " + run.exitCode() + ")";
        return Check.fail(name, why + (run.outputTail().isEmpty() ? " with no output" : ":\n" + run.outputTail()));
    }

    private Check review(JudgeInput input, CallContext context) {
        if (reviewer.isEmpty()) return Check.pass("review", "skipped: no reviewer model available");
        ChatModel model = reviewer.get();
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(REVIEW_SYSTEM));
        messages.add(ChatMessage.user(reviewPrompt(input)));
        String lastProblem = "";
        for (int turn = 1; turn <= 2; turn++) {
            String text;
            try {
                text = model.chat(ChatRequest.of(messages).withContext(context.withAttempt(turn))).text();
            } catch (ModelException e) {
                return Check.fail("review", "the reviewer (" + model.spec().id() + ") could not answer: " + e.getMessage());
            }
            switch (ReviewAnswer.parse(text)) {
                case ReviewAnswer.Verdict v when v.pass() -> {
                    return Check.pass("review", model.spec().id() + ": pass" + (v.reasons().isEmpty() ? "" : " — " + String.join("; ", v.reasons())));
                }
                case ReviewAnswer.Verdict v -> {
                    return Check.fail("review", model.spec().id() + ": fail\n- " + String.join("\n- ", v.reasons()));
                }
                case ReviewAnswer.Malformed m -> {
                    lastProblem = m.problem();
                    messages.add(new ChatMessage.Assistant(text));
                    messages.add(ChatMessage.user("Your answer could not be read: " + m.problem() + ". Answer again with JSON only: "
                            + "{\"verdict\": \"pass\" | \"fail\", \"reasons\": [\"...\"]}"));
                }
            }
        }
        return Check.fail("review", "the reviewer (" + model.spec().id() + ") gave no readable verdict twice: " + lastProblem);
    }

    static String reviewPrompt(JudgeInput input) {
        PlanTask task = input.task();
        String diff = input.diff().isBlank() ? "(the change is empty)" : dev.ensemble.core.Redactor.global().redact(input.diff());  // masked before it is cut
        if (diff.length() > MAX_DIFF_CHARS) {
            diff = diff.substring(0, MAX_DIFF_CHARS) + "\n[... " + (diff.length() - MAX_DIFF_CHARS) + " more characters of diff omitted ...]";
        }
        return "Task " + task.id() + ": " + task.title() + "\n\n"
                + "Acceptance criteria:\n" + task.acceptance() + "\n\n"
                + (task.description().isBlank() ? "" : "Instructions the implementer had:\n" + task.description() + "\n\n")
                + "Files the task owns: " + String.join(", ", task.files()) + "\n"
                + "Files changed: " + (input.changedFiles().isEmpty() ? "none" : String.join(", ", input.changedFiles())) + "\n\n"
                + "The change:\n```diff\n" + diff + "\n```";
    }
}
