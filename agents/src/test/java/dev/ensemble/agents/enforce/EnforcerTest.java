package dev.ensemble.agents.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.workspace.Change;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.agents.workspace.TempRepo;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules on hand-made change sets: what git would never produce but a caller might pass. */
class EnforcerTest {
    @TempDir
    Path tmp;

    private Workspace ws;
    private final Enforcer enforcer = new Enforcer(Policy.DEFAULT);

    @BeforeEach
    void workspace() {
        TempRepo repo = TempRepo.project(tmp.resolve("repo"));
        ws = new WorkspaceManager(repo.root()).create("r", "t", "main", List.of());
    }

    private static Change added(String path) {
        return new Change(Change.Type.ADDED, path, Optional.empty(), Change.MODE_ABSENT, Change.MODE_FILE,
                Optional.empty(), 10, false, true);
    }

    private Verdict check(List<String> owned, Change... changes) {
        return enforcer.check(new ChangeSet(ws.baseCommit(), Optional.of("x"), List.of(changes)), owned, ws, null);
    }

    @Test
    void pathsWithDotDotOrAbsolutePathsAreTraversal() {
        Verdict verdict = check(List.of("**"), added("src/../../etc/x"), added("/etc/passwd"), added("src/./a"));
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.violations()).extracting(Violation::rule).containsOnly(Rules.PATH_TRAVERSAL).hasSize(3);
    }

    @Test
    void anEmptyChangeSetIsAccepted() {
        assertThat(check(List.of()).accepted()).isTrue();
        assertThat(check(List.of()).summary()).isEqualTo("accepted");
    }

    @Test
    void ownedPathsAreAcceptedAndNothingIsOwnedWithoutGlobs() {
        assertThat(check(List.of("src/auth"), added("src/auth/x.py")).accepted()).isTrue();
        assertThat(check(List.of(), added("src/auth/x.py")).rules()).containsExactly(Rules.OUTSIDE_OWNERSHIP);
    }

    @Test
    void aProtectedPathIsRejectedEvenWhenOwned() {
        Verdict verdict = check(List.of("**"), added("src/dir/Cargo.lock"), added(".gitlab-ci.yml"));
        assertThat(verdict.violations()).extracting(Violation::rule, Violation::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Rules.PROTECTED_PATH, "src/dir/Cargo.lock"),
                org.assertj.core.groups.Tuple.tuple(Rules.PROTECTED_PATH, ".gitlab-ci.yml"));
    }

    @Test
    void bothEndsOfARenameMustBeOwnedButOnlyTheNewEndOfACopy() {
        Change rename = new Change(Change.Type.RENAMED, "src/auth/a.py", Optional.of("src/billing/a.py"),
                Change.MODE_FILE, Change.MODE_FILE, Optional.empty(), 10, false, false);
        assertThat(check(List.of("src/auth/**"), rename).violations()).singleElement()
                .satisfies(v -> assertThat(v.path()).isEqualTo("src/billing/a.py"));
        Change copy = new Change(Change.Type.COPIED, "src/auth/a.py", Optional.of("src/billing/a.py"),
                Change.MODE_FILE, Change.MODE_FILE, Optional.empty(), 10, false, true);
        assertThat(check(List.of("src/auth/**"), copy).accepted()).isTrue();
    }

    @Test
    void aPureRenameOfALargeBinaryFileIsNotJudgedOnContentItDidNotWrite() {
        Change rename = new Change(Change.Type.RENAMED, "src/auth/big.bin", Optional.of("src/auth/old.bin"),
                Change.MODE_FILE, Change.MODE_FILE, Optional.empty(), 50_000_000, false, false);
        assertThat(check(List.of("src/auth/**"), rename).accepted()).isTrue();
    }

    @Test
    void symlinksAreJudgedByWhereTheyLead() {
        Change toDir = new Change(Change.Type.ADDED, "src/auth/up", Optional.empty(), Change.MODE_ABSENT,
                Change.MODE_SYMLINK, Optional.of("../.."), 5, false, true);
        assertThat(check(List.of("src/auth/**"), toDir).rules()).containsExactly(Rules.SYMLINK_ESCAPE);
        Change toGit = new Change(Change.Type.ADDED, "src/auth/g", Optional.empty(), Change.MODE_ABSENT,
                Change.MODE_SYMLINK, Optional.of("../../.git/config"), 5, false, true);
        assertThat(check(List.of("**"), toGit).rules()).containsExactly(Rules.SYMLINK_ESCAPE);
        Change sibling = new Change(Change.Type.ADDED, "src/auth/s", Optional.empty(), Change.MODE_ABSENT,
                Change.MODE_SYMLINK, Optional.of("./login.py"), 5, false, true);
        assertThat(check(List.of("src/auth/**"), sibling).accepted()).isTrue();
    }

    @Test
    void theVerdictNamesTheAgentAndSummarisesTheViolations() {
        Verdict verdict = check(List.of("src/auth/**"), added("src/billing/x.py")).withAgent("codex");
        assertThat(verdict.agent()).isEqualTo("codex");
        assertThat(verdict.summary()).isEqualTo("rejected (codex): outside-ownership src/billing/x.py");
    }
}
