package dev.ensemble.agents.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small parts that keep the agent in bounds, one by one. */
class GuardsTest {
    @TempDir
    Path parent;

    @Test
    void pathsResolveInsideTheWorkspaceOnly() throws IOException {
        Path ws = Files.createDirectories(parent.resolve("ws"));
        Files.createDirectories(parent.resolve("other"));
        Files.createSymbolicLink(ws.resolve("to-other"), parent.resolve("other"));
        var paths = new WorkspacePaths(ws);

        assertThat(paths.resolve("a/b/../c.txt").relative()).isEqualTo("a/c.txt");
        assertThat(paths.resolve("").relative()).isEqualTo(".");
        assertThat(paths.resolve(ws.resolve("x.txt").toString()).relative()).isEqualTo("x.txt");
        assertThat(paths.resolve("new/dir/file.txt").target()).isEqualTo(paths.root().resolve("new/dir/file.txt"));
        assertThatThrownBy(() -> paths.resolve("..")).isInstanceOf(ToolError.class).hasMessageContaining("leaves the workspace");
        assertThatThrownBy(() -> paths.resolve(parent.resolve("other/x").toString())).hasMessageContaining("outside the workspace");
        assertThatThrownBy(() -> paths.resolve("to-other/new/x.txt")).hasMessageContaining("symlink that leads outside");
        assertThatThrownBy(() -> paths.resolve("sub/.GIT/config")).hasMessageContaining("inside .git");
        assertThatThrownBy(() -> paths.resolve("a\0b")).hasMessageContaining("NUL");
        assertThat(paths.resolveAllowingGit(".git/config").relative()).isEqualTo(".git/config");
        assertThatThrownBy(() -> paths.resolveAllowingGit("/etc/passwd")).hasMessageContaining("outside the workspace");
    }

    @Test
    void commandLinesSplitLikeAShellWithoutExpanding() {
        assertThat(CommandLine.parse("git log --format='%h %s' -n 3")).isEqualTo(new CommandLine(
                List.of("git", "log", "--format=%h %s", "-n", "3"), (char) 0));
        assertThat(CommandLine.parse("grep \"a \\\"b\\\"\" x\\ y").words()).containsExactly("grep", "a \"b\"", "x y");
        assertThat(CommandLine.parse("ls;rm x")).isEqualTo(new CommandLine(List.of("ls", ";", "rm", "x"), ';'));
        assertThat(CommandLine.parse("echo $HOME").special()).isEqualTo('$');
        assertThat((int) CommandLine.parse("echo '$HOME' \"*\"").special()).isZero();
        assertThat(CommandLine.parse("ls *.java").special()).isEqualTo('*');
        assertThat(CommandLine.parse("ls\nrm x").special()).isEqualTo('\n');
        assertThatThrownBy(() -> CommandLine.parse("echo 'open")).isInstanceOf(ToolError.class).hasMessageContaining("unbalanced");
    }

    @Test
    void allowedCommandsMatchByProgramAndFirstArguments() {
        var diff = AllowedCommand.of("git diff");
        assertThat(diff.matches(List.of("git", "diff", "--stat"))).isTrue();
        assertThat(diff.matches(List.of("git", "push"))).isFalse();
        assertThat(diff.matches(List.of("git"))).isFalse();
        assertThat(AllowedCommand.of("mvn -q test").matches(List.of("mvn", "test"))).isFalse();
    }

    @Test
    void ownedPathsReadFoldersFilesAndGlobs() {
        var owned = new OwnedPaths(List.of("src/app/", "README.md", "**/*.txt", "docs/**"));
        assertThat(owned.owns("src/app/Main.java")).isTrue();
        assertThat(owned.owns("src/application/Main.java")).isFalse();
        assertThat(owned.owns("README.md")).isTrue();
        assertThat(owned.owns("notes.txt")).isTrue();
        assertThat(owned.owns("a/b/notes.txt")).isTrue();
        assertThat(owned.owns("docs/x/y.md")).isTrue();
        assertThat(owned.owns("pom.xml")).isFalse();
        assertThat(new OwnedPaths(List.of()).owns("anything")).isTrue();
    }

    @Test
    void repeatsCompareArgumentsAsJson() {
        var guard = new LoopGuard(3, 6);
        assertThat(guard.onCall("read_file", "{\"path\":\"a\",\"limit\":2}")).isEmpty();
        assertThat(guard.onCall("read_file", "{ \"limit\": 2, \"path\": \"a\" }")).isEmpty();
        assertThat(guard.onCall("read_file", "{\"path\":\"b\"}")).isEmpty();
        assertThat(guard.onCall("read_file", "{\"limit\":2,\"path\":\"a\"}"))
                .hasValue("loop: read_file {\"limit\":2,\"path\":\"a\"} repeated 3 times");
        guard.onWorkspaceChanged();
        assertThat(guard.onCall("read_file", "{\"path\":\"a\",\"limit\":2}")).isEmpty();
    }

    @Test
    void progressIsAChangeOrAResultNotSeenBefore() {
        var guard = new LoopGuard(3, 2);
        assertThat(guard.isNew("x")).isTrue();
        assertThat(guard.endTurn(true)).isEmpty();
        assertThat(guard.isNew("x")).isFalse();
        assertThat(guard.endTurn(false)).isEmpty();
        assertThat(guard.endTurn(true)).isEmpty();
        assertThat(guard.endTurn(false)).isEmpty();
        assertThat(guard.endTurn(false)).hasValueSatisfying(r -> assertThat(r).startsWith("no progress: 2 turns"));
    }

    @Test
    void longOutputKeepsHeadAndTail() {
        String text = "H".repeat(500) + "M".repeat(1000) + "T".repeat(500);
        String bounded = Texts.bound(text, 300);
        assertThat(bounded).startsWith("H".repeat(200)).endsWith("T".repeat(100)).contains("[... 1700 characters omitted ...]");
        var out = new CommandTool.BoundedOutput(300);
        out.drain(new java.io.ByteArrayInputStream(text.getBytes()));
        assertThat(out.text()).startsWith("H".repeat(200)).endsWith("T".repeat(100)).contains("[... 1700 characters omitted ...]");
    }
}
