package dev.ensemble.agents.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceManagerTest {
    @TempDir
    Path tmp;

    private TempRepo repo() {
        return TempRepo.project(tmp.resolve("repo"));
    }

    @Test
    void createMakesAWorktreeOnTheTaskBranchFromTheResolvedBaseAndIgnoresEnsembleWithoutTouchingGitignore() {
        TempRepo repo = repo();
        String gitignore = repo.read(".gitignore");
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "t1", "HEAD", List.of());

        assertThat(ws.directory()).isEqualTo(repo.root().resolve(".ensemble/worktrees/r1/t1"));
        assertThat(ws.branch()).isEqualTo("ensemble/r1/t1");
        assertThat(ws.baseCommit()).isEqualTo(repo.head()).hasSize(40);
        assertThat(ws.directory().resolve("src/auth/login.py")).exists();
        assertThat(Git.in(ws.directory()).ok("symbolic-ref", "HEAD")).isEqualTo("refs/heads/ensemble/r1/t1");
        assertThat(repo.read(".gitignore")).isEqualTo(gitignore);
        assertThat(repo.read(".git/info/exclude")).contains("/.ensemble/");
        assertThat(repo.git("status", "--porcelain")).doesNotContain(".ensemble").doesNotContain(".gitignore");
        // Opening the repository again does not add the line twice.
        new WorkspaceManager(repo.root());
        assertThat(repo.read(".git/info/exclude").split("/\\.ensemble/", -1)).hasSize(2);
    }

    @Test
    void onlyIgnoredFilesMatchingCopyIgnoredAreCopiedIntoTheWorktree() {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "t1", "main", List.of(".env"));
        assertThat(ws.directory().resolve(".env")).hasContent("API_TOKEN=local-only");
        assertThat(ws.directory().resolve("secret.key")).doesNotExist();
        // Copied files stay ignored: they never show up in the change set.
        assertThat(manager.commit(ws, "nothing").isEmpty()).isTrue();
    }

    @Test
    void nothingChangedGivesAnEmptyChangeSetAndNoCommit() {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "t1", "main", List.of());
        ChangeSet changes = manager.commit(ws, "nothing");
        assertThat(changes.isEmpty()).isTrue();
        assertThat(changes.commit()).isEmpty();
        assertThat(repo.git("rev-parse", ws.branch())).isEqualTo(ws.baseCommit());
    }

    @Test
    void theChangeSetComesFromGitWithModesSymlinkTargetsSizesAndBinaryContent() throws IOException {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "t1", "main", List.of());
        Path dir = ws.directory();
        Files.writeString(dir.resolve("src/auth/new.py"), "0123456789");
        Files.writeString(dir.resolve("src/auth/login.py"), "changed\n");
        Files.delete(dir.resolve("src/auth/session.py"));
        Files.move(dir.resolve("src/auth/token.py"), dir.resolve("src/auth/renamed.py"));
        Files.setPosixFilePermissions(dir.resolve("src/billing/invoice.py"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(dir.resolve("src/auth/link"), Path.of("../billing/invoice.py"));
        Files.write(dir.resolve("src/auth/data.bin"), new byte[] {1, 0, 2});
        Files.delete(dir.resolve("docs/guide.md"));
        Files.createSymbolicLink(dir.resolve("docs/guide.md"), Path.of("../README.md"));

        ChangeSet changes = manager.commit(ws, "task t1");

        assertThat(changes.commit()).isPresent();
        assertThat(repo.git("rev-parse", ws.branch())).isEqualTo(changes.commit().get());
        assertThat(repo.git("rev-parse", ws.branch() + "^")).isEqualTo(ws.baseCommit());
        assertThat(repo.git("log", "-1", "--format=%an <%ae> %cn", ws.branch()))
                .isEqualTo("ensemble <ensemble@localhost> ensemble");
        assertThat(changes.changes()).extracting(Change::toString).containsExactlyInAnyOrder(
                "ADDED src/auth/data.bin (000000 -> 100644)",
                "ADDED src/auth/link (000000 -> 120000)",
                "MODIFIED src/auth/login.py",
                "ADDED src/auth/new.py (000000 -> 100644)",
                "DELETED src/auth/session.py (100644 -> 000000)",
                "RENAMED src/auth/token.py -> src/auth/renamed.py",
                "MODE_CHANGED src/billing/invoice.py (100644 -> 100755)",
                "TYPE_CHANGED docs/guide.md (100644 -> 120000)");
        Change link = find(changes, "src/auth/link");
        assertThat(link.symlinkTarget()).contains("../billing/invoice.py");
        assertThat(find(changes, "src/auth/new.py").size()).isEqualTo(10);
        assertThat(find(changes, "src/auth/new.py").binary()).isFalse();
        assertThat(find(changes, "src/auth/data.bin").binary()).isTrue();
        assertThat(find(changes, "src/auth/renamed.py").newContent()).isFalse();
        assertThat(find(changes, "docs/guide.md").symlinkTarget()).contains("../README.md");
        assertThat(changes.paths()).contains("src/auth/token.py", "src/auth/renamed.py");
    }

    @Test
    void theAgentsOwnCommitsAreFoldedIntoOneCommitOnTheBase() throws IOException {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "t1", "main", List.of());
        Files.writeString(ws.directory().resolve("src/auth/a.py"), "a\n");
        Git agentGit = Git.in(ws.directory());
        agentGit.ok("add", "-A");
        agentGit.ok("commit", "-q", "-m", "agent 1");
        Files.writeString(ws.directory().resolve("src/auth/b.py"), "b\n");

        ChangeSet changes = manager.commit(ws, "task");
        assertThat(changes.paths()).containsExactlyInAnyOrder("src/auth/a.py", "src/auth/b.py");
        assertThat(repo.git("rev-list", "--count", ws.baseCommit() + ".." + ws.branch())).isEqualTo("1");
    }

    @Test
    void mergingAcceptedWorkspacesLeavesTheUsersBranchHeadIndexAndWorkingTreeUntouched() throws IOException {
        TempRepo repo = repo();
        // The user is mid-work: a staged change, an unstaged change and an untracked file.
        repo.write("README.md", "# project, staged edit\n");
        repo.git("add", "README.md");
        repo.write("docs/guide.md", "# guide, unstaged edit\n");
        repo.write("notes.txt", "untracked\n");
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        String before = repo.userState();
        String exclude = repo.read(".git/info/exclude");

        Workspace a = manager.create("r1", "a", "main", List.of());
        Workspace b = manager.create("r1", "b", "main", List.of());
        Files.writeString(a.directory().resolve("src/auth/a.py"), "a\n");
        Files.writeString(b.directory().resolve("src/billing/b.py"), "b\n");
        manager.commit(a, "a");
        manager.commit(b, "b");
        String runBranch = WorkspaceManager.runBranchName("r1");
        MergeResult first = manager.merge(a, runBranch);
        MergeResult second = manager.merge(b, runBranch);

        assertThat(first.status()).isEqualTo(MergeResult.Status.MERGED);
        assertThat(second.status()).isEqualTo(MergeResult.Status.MERGED);
        assertThat(second.commit()).contains(repo.git("rev-parse", runBranch));
        assertThat(repo.git("ls-tree", "-r", "--name-only", runBranch)).contains("src/auth/a.py", "src/billing/b.py");
        assertThat(repo.git("rev-list", "--parents", "-1", runBranch).split(" ")).hasSize(3);
        assertThat(repo.userState()).isEqualTo(before);
        assertThat(repo.read(".git/info/exclude")).isEqualTo(exclude);
        // Merging again brings nothing new.
        assertThat(manager.merge(a, runBranch).status()).isEqualTo(MergeResult.Status.NOTHING_TO_MERGE);
    }

    @Test
    void aConflictReportsThePathsAndChangesNothing() throws IOException {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        String before = repo.userState();
        Workspace a = manager.create("r1", "a", "main", List.of());
        Workspace b = manager.create("r1", "b", "main", List.of());
        Files.writeString(a.directory().resolve("src/auth/login.py"), "def login():\n    return 'a'\n");
        Files.writeString(b.directory().resolve("src/auth/login.py"), "def login():\n    return 'b'\n");
        Files.writeString(b.directory().resolve("src/billing/invoice.py"), "def invoice():\n    return 'b'\n");
        manager.commit(a, "a");
        manager.commit(b, "b");
        String runBranch = WorkspaceManager.runBranchName("r1");
        assertThat(manager.merge(a, runBranch).merged()).isTrue();
        String tip = repo.git("rev-parse", runBranch);

        MergeResult conflict = manager.merge(b, runBranch);
        assertThat(conflict.status()).isEqualTo(MergeResult.Status.CONFLICT);
        assertThat(conflict.merged()).isFalse();
        assertThat(conflict.conflicts()).containsExactly("src/auth/login.py");
        assertThat(repo.git("rev-parse", runBranch)).isEqualTo(tip);
        assertThat(repo.userState()).isEqualTo(before);
    }

    @Test
    void parallelMergesIntoOneRunBranchAllLand() throws Exception {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        List<Workspace> workspaces = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Workspace ws = manager.create("r1", "t" + i, "main", List.of());
            Files.writeString(ws.directory().resolve("src/auth/f" + i + ".py"), "x = " + i + "\n");
            manager.commit(ws, "t" + i);
            workspaces.add(ws);
        }
        String runBranch = WorkspaceManager.runBranchName("r1");
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<MergeResult>> results = workspaces.stream()
                    .map(ws -> pool.submit(() -> manager.merge(ws, runBranch))).toList();
            for (Future<MergeResult> result : results) assertThat(result.get().merged()).isTrue();
        }
        assertThat(repo.git("ls-tree", "-r", "--name-only", runBranch))
                .contains("src/auth/f0.py", "src/auth/f1.py", "src/auth/f2.py", "src/auth/f3.py");
    }

    @Test
    void tasksCreateAndRemoveTheirWorktreesInParallel() throws Exception {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> done = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String task = "p" + i;
                done.add(pool.submit(() -> {
                    Workspace ws = manager.create("r1", task, "main", List.of());
                    Files.writeString(ws.directory().resolve("src/auth/" + task + ".py"), task + "\n");
                    boolean one = manager.commit(ws, task).paths().equals(List.of("src/auth/" + task + ".py"));
                    manager.remove(ws);
                    return one;
                }));
            }
            for (Future<Boolean> f : done) assertThat(f.get()).isTrue();
        }
        assertThat(manager.list()).isEmpty();
        assertThat(repo.git("branch", "--list", "ensemble/*")).isEmpty();
    }

    @Test
    void mergingIntoTheCheckedOutBranchIsRefused() throws IOException {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "a", "main", List.of());
        Files.writeString(ws.directory().resolve("src/auth/a.py"), "a\n");
        manager.commit(ws, "a");
        String head = repo.head();
        assertThatThrownBy(() -> manager.merge(ws, "main")).isInstanceOf(GitException.class)
                .hasMessageContaining("checked out");
        assertThat(repo.head()).isEqualTo(head);
    }

    @Test
    void aRunBranchThatIsAlsoTheFolderOfTaskBranchesIsAClearError() throws IOException {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "a", "main", List.of());
        Files.writeString(ws.directory().resolve("src/auth/a.py"), "a\n");
        manager.commit(ws, "a");
        assertThatThrownBy(() -> manager.merge(ws, "ensemble/r1")).isInstanceOf(GitException.class)
                .hasMessageContaining("runBranchName");
    }

    @Test
    void listFindsWorkspacesAndRemoveCleansTheWorktreeAndTheBranch() throws IOException {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace a = manager.create("r1", "a", "main", List.of(".env"));
        Workspace b = manager.create("r1", "b", "main", List.of());
        Files.writeString(a.directory().resolve("untracked.txt"), "left behind\n");
        assertThat(manager.list()).containsExactlyInAnyOrder(a, b);

        manager.remove(a);
        assertThat(a.directory()).doesNotExist();
        assertThat(repo.git("branch", "--list", a.branch())).isEmpty();
        assertThat(repo.git("worktree", "list")).doesNotContain(a.directory().toString());
        assertThat(manager.list()).containsExactly(b);

        manager.remove(b, true);
        assertThat(b.directory()).doesNotExist();
        assertThat(repo.git("branch", "--list", b.branch())).contains(b.branch());
        assertThat(manager.list()).isEmpty();
        assertThat(repo.root().resolve(".ensemble/worktrees/r1")).doesNotExist();
    }

    @Test
    void unsafeIdsAndUnknownBasesAreRejectedClearly() {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        assertThatThrownBy(() -> manager.create("../x", "t", "main", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> manager.create("r", "a/b", "main", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> manager.create("r", "t", "no-such-branch", List.of()))
                .isInstanceOf(GitException.class).hasMessageContaining("rev-parse");
        manager.create("r", "t", "main", List.of());
        assertThatThrownBy(() -> manager.create("r", "t", "main", List.of()))
                .isInstanceOf(GitException.class).hasMessageContaining("already exists");
    }

    @Test
    void theSnapshotSeesWritesGitCannotSee() throws IOException {
        TempRepo repo = repo();
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace ws = manager.create("r1", "a", "main", List.of());
        Snapshot before = manager.snapshot(ws);
        assertThat(before.driftTo(manager.snapshot(ws))).isEmpty();

        repo.write("src/auth/login.py", "overwritten from outside\n");
        repo.write(".git/hooks/post-merge", "#!/bin/sh\n");
        assertThat(before.driftTo(manager.snapshot(ws))).extracting(Snapshot.Drift::kind, Snapshot.Drift::path)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(Snapshot.Drift.Kind.MAIN_TREE, "src/auth/login.py"),
                        org.assertj.core.groups.Tuple.tuple(Snapshot.Drift.Kind.GIT_INTERNALS, ".git/hooks/post-merge"));
    }

    private static Change find(ChangeSet changes, String path) {
        return changes.changes().stream().filter(c -> c.path().equals(path)).findFirst().orElseThrow();
    }
}
