package dev.ensemble.agents.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Change;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.agents.workspace.MergeResult;
import dev.ensemble.agents.workspace.ScriptAgent;
import dev.ensemble.agents.workspace.Snapshot;
import dev.ensemble.agents.workspace.TempRepo;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The enforcement battery: scripted agents (fake-agents/*.sh) each try one thing they must not,
 * through the same path a real agent's work takes (worktree, snapshot, run, commit, enforce).
 * Every attempt must be rejected with the right rule, recorded with the path and the agent, and
 * leave nothing mergeable; every allowed change must land on the run branch.
 */
class EnforcementBatteryTest {
    private static final String RUN = "run1";
    private static final List<String> AUTH = List.of("src/auth/**");
    private static final String RUN_BRANCH = WorkspaceManager.runBranchName(RUN);

    @TempDir
    Path tmp;

    static Stream<Arguments> attempts() {
        return Stream.of(
                attempt("write-outside", AUTH, Rules.OUTSIDE_OWNERSHIP, "src/billing/invoice.py"),
                attempt("traversal-main", AUTH, Rules.MAIN_TREE_MODIFIED, "src/billing/invoice.py"),
                attempt("absolute-main", AUTH, Rules.MAIN_TREE_MODIFIED, "src/auth/login.py"),
                attempt("absolute-new-file", AUTH, Rules.MAIN_TREE_MODIFIED, "planted.txt"),
                attempt("symlink-etc", AUTH, Rules.SYMLINK_ESCAPE, "src/auth/passwd"),
                attempt("symlink-other-task", AUTH, Rules.SYMLINK_ESCAPE, "src/auth/other.py"),
                attempt("symlink-not-owned", AUTH, Rules.SYMLINK_ESCAPE, "src/auth/invoice.py"),
                attempt("hook-main", AUTH, Rules.GIT_INTERNALS, ".git/hooks/pre-commit"),
                attempt("git-config", AUTH, Rules.GIT_INTERNALS, ".git/config"),
                attempt("worktree-config", AUTH, Rules.GIT_INTERNALS, "config.worktree"),
                attempt("exclude-file", AUTH, Rules.GIT_INTERNALS, ".git/info/exclude"),
                attempt("switch-branch", AUTH, Rules.GIT_INTERNALS, "refs/heads/rogue"),
                attempt("move-user-branch", AUTH, Rules.GIT_INTERNALS, "refs/heads/main"),
                attempt("delete-neighbour", List.of("src/auth/login.py"), Rules.OUTSIDE_OWNERSHIP, "src/auth/session.py"),
                attempt("rename-into-protected", AUTH, Rules.PROTECTED_PATH, ".github/workflows/x.yml"),
                attempt("rename-non-owned-in", AUTH, Rules.OUTSIDE_OWNERSHIP, "src/billing/invoice.py"),
                attempt("chmod-outside", AUTH, Rules.EXECUTABLE_BIT, "src/billing/invoice.py"),
                attempt("new-exec-outside", AUTH, Rules.EXECUTABLE_BIT, "run.sh"),
                attempt("lock-file", List.of("web/**"), Rules.PROTECTED_PATH, "web/package-lock.json"),
                attempt("huge-file", AUTH, Rules.FILE_TOO_LARGE, "src/auth/big.dat"),
                attempt("binary-garbage", AUTH, Rules.BINARY_CONTENT, "src/auth/blob.bin"),
                attempt("new-top-level", List.of("**/*.py"), Rules.NEW_TOP_LEVEL_FOLDER, "newpkg/"),
                attempt("submodule", AUTH, Rules.SUBMODULE, "src/auth/vendor"),
                attempt("ci-file", List.of("src/auth/**", ".github/**"), Rules.PROTECTED_PATH, ".github/workflows/ci.yml"));
    }

    private static Arguments attempt(String script, List<String> owned, String rule, String path) {
        return Arguments.of(script, owned, rule, path);
    }

    @Test
    void theBatteryHasAtLeastEighteenDistinctAttemptsCoveringEveryRuleAFakeAgentCanBreak() {
        List<Arguments> all = attempts().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(18);
        assertThat(all.stream().map(a -> (String) a.get()[0]).distinct()).hasSize(all.size());
        assertThat(all.stream().map(a -> (String) a.get()[2]).distinct()).containsExactlyInAnyOrder(
                Rules.OUTSIDE_OWNERSHIP, Rules.MAIN_TREE_MODIFIED, Rules.SYMLINK_ESCAPE, Rules.GIT_INTERNALS,
                Rules.PROTECTED_PATH, Rules.EXECUTABLE_BIT, Rules.FILE_TOO_LARGE, Rules.BINARY_CONTENT,
                Rules.NEW_TOP_LEVEL_FOLDER, Rules.SUBMODULE);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("attempts")
    void everyAttemptIsRejectedWithItsRuleAndNothingOfItCanBeMerged(String script, List<String> owned, String rule,
                                                                    String path) {
        TempRepo repo = TempRepo.project(tmp.resolve("repo"));
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create(RUN, "t-" + script, "main", List.of());
        Outcome outcome = runAndEnforce(manager, new Enforcer(Policy.DEFAULT), ws, new ScriptAgent(script), owned);

        Verdict verdict = outcome.verdict;
        assertThat(outcome.result.succeeded()).as("the fake agent itself ran: %s", outcome.result.failureReason()).isTrue();
        assertThat(verdict.accepted()).as(verdict.summary()).isFalse();
        assertThat(verdict.agent()).isEqualTo("script:" + script);
        assertThat(verdict.violations()).as(verdict.summary())
                .anySatisfy(v -> {
                    assertThat(v.rule()).isEqualTo(rule);
                    assertThat(v.path()).endsWith(path);
                    assertThat(v.detail()).isNotBlank();
                });
        // Rejected: the task branch is back at its base, so merging it brings nothing.
        assertThat(repo.git("rev-parse", "refs/heads/" + ws.branch())).isEqualTo(ws.baseCommit());
        MergeResult merged = manager.merge(ws, RUN_BRANCH);
        assertThat(merged.status()).isEqualTo(MergeResult.Status.NOTHING_TO_MERGE);
        assertThat(repo.git("rev-parse", RUN_BRANCH)).isEqualTo(ws.baseCommit());
        manager.remove(ws);
    }

    @Test
    void addModifyDeleteAndRenameWithinOwnedPathsAreAcceptedAndLandOnTheRunBranch() {
        TempRepo repo = TempRepo.project(tmp.resolve("repo"));
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create(RUN, "edits", "main", List.of());
        Outcome outcome = runAndEnforce(manager, new Enforcer(Policy.DEFAULT), ws, new ScriptAgent("accepted-edits"), AUTH);

        assertThat(outcome.verdict.accepted()).as(outcome.verdict.summary()).isTrue();
        assertThat(outcome.changes.changes()).extracting(Change::type).contains(Change.Type.ADDED,
                Change.Type.MODIFIED, Change.Type.DELETED, Change.Type.RENAMED);
        assertThat(outcome.changes.paths()).containsExactlyInAnyOrder("src/auth/new.py", "src/auth/login.py",
                "src/auth/session.py", "src/auth/token.py", "src/auth/tokens/token.py");

        assertThat(manager.merge(ws, RUN_BRANCH).status()).isEqualTo(MergeResult.Status.MERGED);
        assertThat(repo.git("show", RUN_BRANCH + ":src/auth/new.py")).isEqualTo("def new(): pass");
        assertThat(repo.git("show", RUN_BRANCH + ":src/auth/login.py")).endsWith("# improved");
        assertThat(repo.git("ls-tree", "-r", "--name-only", RUN_BRANCH)).contains("src/auth/tokens/token.py")
                .doesNotContain("src/auth/session.py");
        manager.remove(ws);
    }

    @Test
    void anOwnedExecutableScriptIsAccepted() {
        Outcome outcome = acceptedCase("owned-executable", List.of("scripts/**"), Policy.DEFAULT);
        assertThat(outcome.changes.changes()).singleElement()
                .satisfies(c -> assertThat(c.newMode()).isEqualTo(Change.MODE_EXECUTABLE));
    }

    @Test
    void aSymlinkWithinOwnedPathsPointingInsideTheWorktreeIsAccepted() {
        Outcome outcome = acceptedCase("symlink-inside", AUTH, Policy.DEFAULT);
        assertThat(outcome.changes.changes()).singleElement().satisfies(c -> {
            assertThat(c.newMode()).isEqualTo(Change.MODE_SYMLINK);
            assertThat(c.symlinkTarget()).contains("login.py");
        });
    }

    @Test
    void aNewTopLevelFolderIsAcceptedWhenTheOwnedPathsNameItOrThePolicyAllowsIt() {
        acceptedCase("new-owned-folder", List.of("newpkg/**"), Policy.DEFAULT);
        acceptedCase("new-owned-folder", List.of("**/*.py"), Policy.DEFAULT.withAllowedTopLevelFolders(List.of("newpkg")));
    }

    @Test
    void binaryContentIsAcceptedWhereAPolicyGlobAllowsIt() {
        Outcome outcome = acceptedCase("binary-allowed", AUTH, Policy.DEFAULT.withBinary(false, List.of("**/*.png")));
        assertThat(outcome.changes.changes()).singleElement().satisfies(c -> assertThat(c.binary()).isTrue());
    }

    @Test
    void writesIntoTheMainTreeAreNotJudgedWhenThePolicyDoesNotGuardIt() {
        acceptedCaseWithoutMerge("absolute-new-file", AUTH, Policy.DEFAULT.withGuardMainTree(false));
    }

    @Test
    void severalAcceptedTasksMergeIntoTheRunBranchWhileRejectedOnesNeverReachIt() {
        TempRepo repo = TempRepo.project(tmp.resolve("repo"));
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Enforcer enforcer = new Enforcer(Policy.DEFAULT);
        List<Verdict> verdicts = new ArrayList<>();
        record Job(String task, String script, List<String> owned) {}
        for (Job job : List.of(new Job("a", "accepted-edits", AUTH), new Job("b", "write-outside", AUTH),
                new Job("c", "owned-executable", List.of("scripts/**")))) {
            Workspace ws = manager.create(RUN, job.task, "main", List.of());
            Outcome outcome = runAndEnforce(manager, enforcer, ws, new ScriptAgent(job.script), job.owned);
            verdicts.add(outcome.verdict);
            if (outcome.verdict.accepted()) {
                assertThat(manager.merge(ws, RUN_BRANCH).merged()).isTrue();
            }
            manager.remove(ws);
        }
        assertThat(verdicts).extracting(Verdict::accepted).containsExactly(true, false, true);
        String tree = repo.git("ls-tree", "-r", "--name-only", RUN_BRANCH);
        assertThat(tree).contains("src/auth/new.py", "scripts/deploy.sh");
        assertThat(repo.git("show", RUN_BRANCH + ":src/billing/invoice.py")).doesNotContain("changed by the agent");
        assertThat(manager.list()).isEmpty();
    }

    private Outcome acceptedCase(String script, List<String> owned, Policy policy) {
        TempRepo repo = TempRepo.project(tmp.resolve("repo-" + script + "-" + owned.hashCode() + "-" + policy.hashCode()));
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create(RUN, "ok", "main", List.of());
        Outcome outcome = runAndEnforce(manager, new Enforcer(policy), ws, new ScriptAgent(script), owned);
        assertThat(outcome.verdict.accepted()).as(outcome.verdict.summary()).isTrue();
        assertThat(outcome.changes.isEmpty()).isFalse();
        assertThat(manager.merge(ws, RUN_BRANCH).status()).isEqualTo(MergeResult.Status.MERGED);
        for (String path : outcome.changes.paths()) {
            assertThat(repo.git("ls-tree", "--name-only", RUN_BRANCH, "--", path)).isEqualTo(path);
        }
        manager.remove(ws);
        return outcome;
    }

    private void acceptedCaseWithoutMerge(String script, List<String> owned, Policy policy) {
        TempRepo repo = TempRepo.project(tmp.resolve("repo-" + script));
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create(RUN, "ok", "main", List.of());
        Outcome outcome = runAndEnforce(manager, new Enforcer(policy), ws, new ScriptAgent(script), owned);
        assertThat(outcome.verdict.accepted()).as(outcome.verdict.summary()).isTrue();
        manager.remove(ws);
    }

    private record Outcome(AgentResult result, ChangeSet changes, Verdict verdict) {}

    /** The sequence every task goes through: snapshot, run, commit, enforce. */
    private static Outcome runAndEnforce(WorkspaceManager manager, Enforcer enforcer, Workspace ws, ScriptAgent agent,
                                         List<String> owned) {
        Snapshot before = manager.snapshot(ws);
        AgentTask task = ScriptAgent.task(ws.runId(), ws.taskId(), owned);
        AgentResult result = agent.run(task, ws, AgentListener.NONE);
        ChangeSet changes = manager.commit(ws, "ensemble: " + ws.taskId());
        Verdict verdict = enforcer.enforce(agent.name(), changes, task.ownedPaths(), ws, before);
        return new Outcome(result, changes, verdict);
    }
}
