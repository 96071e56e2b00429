package dev.ensemble.agents.builtin;

import static dev.ensemble.agents.builtin.Harness.call;
import static dev.ensemble.agents.builtin.Harness.finish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentResult.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each tool as the model meets it: calls scripted on the server, results read back from the conversation. */
class BuiltinToolsTest {
    @TempDir
    Path parent;
    Path dir;
    Path outside;
    Harness h;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createDirectories(parent.resolve("workspace"));
        outside = Files.createDirectories(parent.resolve("outside"));
        h = new Harness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void editFileReplacesExactlyOneMatchAndExplainsTheOthers() throws IOException {
        write("notes.txt", "alpha beta beta\n");
        h.script(call("edit_file", "path", "notes.txt", "old", "alpha", "new", "ALPHA"),
                call("edit_file", "path", "notes.txt", "old", "gamma", "new", "x"),
                call("edit_file", "path", "notes.txt", "old", "beta", "new", "BETA"),
                call("edit_file", "path", "missing.txt", "old", "a", "new", "b"),
                finish("edited"));

        AgentResult result = h.run("edit notes");

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("ALPHA beta beta\n");
        assertThat(result.filesChanged()).containsExactly("notes.txt");
        List<String> results = h.toolResults();
        assertThat(results.get(0)).isEqualTo("edited notes.txt (1 replacement)");
        assertThat(results.get(1)).startsWith("error: edit_file: the 'old' text was not found in notes.txt");
        assertThat(results.get(2)).startsWith("error: edit_file: the 'old' text occurs 2 times in notes.txt");
        assertThat(results.get(3)).isEqualTo("error: edit_file: missing.txt does not exist");
        assertThat(result.events()).filteredOn(AgentEvent.Error.class::isInstance).hasSize(3);
    }

    @Test
    void writesAreAtomicAndKeepTheFileMode() throws IOException {
        write("run.sh", "old\n");
        Files.setPosixFilePermissions(dir.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        h.script(call("write_file", "path", "run.sh", "content", "new\n"), call("write_file", "path", "run.sh", "content", "new\n"),
                call("write_file", "path", "deep/er/new.txt", "content", "x"), finish("ok"));

        AgentResult result = h.run("write");

        assertThat(Files.readString(dir.resolve("run.sh"))).isEqualTo("new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("run.sh")))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("deep/er/new.txt")))).isEqualTo("rw-r--r--");
        assertThat(h.toolResults()).containsExactly("wrote run.sh (4 bytes)",
                "run.sh already has exactly this content; nothing changed", "created deep/er/new.txt (1 bytes)");
        assertThat(result.filesChanged()).containsExactly("run.sh", "deep/er/new.txt");
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".ensemble-"));
        }
    }

    @Test
    void readListAndGrepShowTheWorkspace() throws IOException {
        write("src/App.java", "package app;\nclass App {}\nclass Helper {}\n");
        write("src/notes.md", "class in prose\n");
        write("README.md", "hello\n");
        write("big.bin", "\0\0binary");
        Files.createDirectories(dir.resolve(".git"));
        write(".git/HEAD", "class Secret {}\n");
        h.script(call("read_file", "path", "src/App.java"),
                call("read_file", "path", "src/App.java", "offset", "2", "limit", "1"),
                call("list_dir"),
                call("list_dir", "path", "src"),
                call("grep", "pattern", "class \\w+", "glob", "*.java"),
                call("grep", "pattern", "class", "path", "src"),
                call("grep", "pattern", "(unclosed"),
                call("grep", "pattern", "nothing-like-this"),
                call("read_file", "path", "big.bin"),
                call("read_file", "path", "src"),
                finish("looked"));

        h.run("look");

        List<String> r = h.toolResults();
        assertThat(r.get(0)).isEqualTo("package app;\nclass App {}\nclass Helper {}\n");
        assertThat(r.get(1)).isEqualTo("class App {}\n[lines 2-2 of 3; read on with offset 3]");
        assertThat(r.get(2)).isEqualTo("README.md\nbig.bin\nsrc/");
        assertThat(r.get(3)).isEqualTo("App.java\nnotes.md");
        assertThat(r.get(4)).isEqualTo("src/App.java:2: class App {}\nsrc/App.java:3: class Helper {}");
        assertThat(r.get(5).lines()).containsExactlyInAnyOrder("src/App.java:2: class App {}", "src/App.java:3: class Helper {}",
                "src/notes.md:1: class in prose");
        assertThat(r.get(6)).startsWith("error: grep: invalid regular expression");
        assertThat(r.get(7)).isEqualTo("no matches");
        assertThat(r.get(8)).isEqualTo("error: read_file: big.bin is a binary file");
        assertThat(r.get(9)).isEqualTo("error: read_file: src is a folder; use list_dir");
    }

    @Test
    void largeFilesAndLongResultsAreBounded() throws IOException {
        h.settings = h.settings.withMaxReadBytes(1000).withMaxOutputChars(300).withMaxGrepMatches(5);
        write("large.txt", "x".repeat(2000));
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 100; i++) many.append("line ").append(i).append('\n');
        write("many.txt", many.toString());
        h.script(call("read_file", "path", "large.txt"), call("read_file", "path", "many.txt"), call("grep", "pattern", "line"),
                finish("ok"));

        h.run("read");

        List<String> r = h.toolResults();
        assertThat(r.get(0)).isEqualTo("error: read_file: large.txt is 2000 bytes, over the limit of 1000 bytes; "
                + "use grep to find what you need in it");
        assertThat(r.get(1)).startsWith("line 1\n").contains("; read on with offset ").hasSizeLessThanOrEqualTo(300);
        assertThat(r.get(2)).contains("[stopped at 5 matches; narrow the pattern, path or glob]")
                .endsWith("[1 files over 1000 bytes not searched]");
        assertThat(r.get(2).lines().filter(l -> l.startsWith("many.txt:"))).hasSize(5);
    }

    @Test
    void nothingLeavesTheWorkspaceOrTouchesGit() throws IOException {
        Files.writeString(outside.resolve("target.txt"), "outside original");
        Files.createDirectories(dir.resolve(".git"));
        write(".git/config", "[core]\n");
        Files.createSymbolicLink(dir.resolve("escape"), outside);
        Files.createSymbolicLink(dir.resolve("link.txt"), outside.resolve("target.txt"));
        Files.createSymbolicLink(dir.resolve("dangling.txt"), outside.resolve("created-through-link.txt"));
        Files.createSymbolicLink(dir.resolve("gitlink"), dir.resolve(".git"));
        Path etc = Path.of("/etc/ensemble-builtin-test-" + ProcessHandle.current().pid());
        h.script(call("write_file", "path", "../outside/new.txt", "content", "x"),
                call("write_file", "path", "sub/../../outside/new2.txt", "content", "x"),
                call("write_file", "path", etc.toString(), "content", "x"),
                call("write_file", "path", outside.resolve("abs.txt").toString(), "content", "x"),
                call("write_file", "path", "escape/pwn.txt", "content", "x"),
                call("write_file", "path", "link.txt", "content", "x"),
                call("write_file", "path", "dangling.txt", "content", "x"),
                call("edit_file", "path", "link.txt", "old", "outside", "new", "x"),
                call("write_file", "path", ".git/config", "content", "[core]\nhooksPath=/tmp\n"),
                call("write_file", "path", ".git/hooks/pre-commit", "content", "#!/bin/sh\n"),
                call("write_file", "path", "gitlink/config", "content", "x"),
                call("read_file", "path", "/etc/passwd"),
                call("read_file", "path", "escape/target.txt"),
                call("list_dir", "path", ".."),
                call("grep", "pattern", "x", "path", "escape"),
                finish("tried"));

        AgentResult result = h.run("escape");

        List<String> results = h.toolResults();
        assertThat(results).hasSize(15).allSatisfy(r -> assertThat(r).startsWith("error: "));
        assertThat(results.get(0)).contains("leaves the workspace");
        assertThat(results.get(2)).contains("is outside the workspace");
        assertThat(results.get(4)).contains("symlink that leads outside the workspace");
        assertThat(results.get(6)).contains("symlink whose target does not exist");
        assertThat(results.get(8)).contains("inside .git");
        assertThat(results.get(10)).contains("inside .git");
        assertThat(result.filesChanged()).isEmpty();
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("target.txt");
        }
        assertThat(Files.readString(outside.resolve("target.txt"))).isEqualTo("outside original");
        assertThat(Files.readString(dir.resolve(".git/config"))).isEqualTo("[core]\n");
        assertThat(dir.resolve(".git/hooks")).doesNotExist();
        assertThat(etc).doesNotExist();
        assertThat(parent.resolve("new2.txt")).doesNotExist();
    }

    @Test
    void aLinkThatStaysInsideIsFollowed() throws IOException {
        write("docs/a.txt", "a");
        Files.createSymbolicLink(dir.resolve("alias.txt"), Path.of("docs/a.txt"));
        h.script(call("write_file", "path", "alias.txt", "content", "b"), call("write_file", "path", dir.resolve("c.txt").toString(),
                "content", "c"), finish("ok"));

        AgentResult result = h.run("write");

        assertThat(Files.readString(dir.resolve("docs/a.txt"))).isEqualTo("b");
        assertThat(Files.isSymbolicLink(dir.resolve("alias.txt"))).isTrue();
        assertThat(Files.readString(dir.resolve("c.txt"))).isEqualTo("c");
        assertThat(result.filesChanged()).containsExactly("docs/a.txt", "c.txt");
    }

    @Test
    void writesOutsideOwnedPathsAreRefusedUnlessTheCheckIsOff() throws IOException {
        h.owned = List.of("src/**", "README.md");
        h.script(call("write_file", "path", "docs/x.md", "content", "x"), call("write_file", "path", "src/a/B.java", "content", "b"),
                call("write_file", "path", "README.md", "content", "r"), finish("ok"));

        AgentResult result = h.run("write");

        assertThat(h.toolResults().getFirst())
                .isEqualTo("error: write_file: docs/x.md is not among the paths this task owns (src/**, README.md); change only those");
        assertThat(dir.resolve("docs/x.md")).doesNotExist();
        assertThat(result.filesChanged()).containsExactly("src/a/B.java", "README.md");

        h.close();
        h = new Harness(dir);
        h.owned = List.of("src/**");
        h.settings = h.settings.withCheckOwnership(false);
        h.script(call("write_file", "path", "docs/x.md", "content", "x"), finish("ok"));
        assertThat(h.run("write").filesChanged()).containsExactly("docs/x.md");
    }

    @Test
    void runCommandRunsAllowedCommandsOnlyWithoutAShell() throws IOException {
        write("present.txt", "here");
        h.settings = h.settings.withAllowedCommands(List.of(AllowedCommand.of("ls"), AllowedCommand.of("cat"),
                AllowedCommand.shell("echo")));
        h.script(call("run_command", "command", "ls"),
                call("run_command", "command", "ls no-such-file"),
                call("run_command", "command", "rm -rf present.txt"),
                call("run_command", "command", "ls; rm present.txt"),
                call("run_command", "command", "cat /etc/passwd"),
                call("run_command", "command", "cat ../outside/x"),
                call("run_command", "command", "cat 'present.txt'"),
                call("run_command", "command", "echo hello | tr a-z A-Z"),
                finish("ran"));

        AgentResult result = h.run("run");

        List<String> r = h.toolResults();
        assertThat(r.get(0)).isEqualTo("exit code 0\npresent.txt");
        assertThat(r.get(1)).startsWith("error: exit code ").contains("no-such-file");
        assertThat(r.get(2)).isEqualTo("error: run_command: 'rm -rf present.txt' is not allowed. Allowed commands (and their "
                + "continuations): ls, cat, echo (shell)");
        assertThat(r.get(3)).startsWith("error: run_command runs no shell, so ';' has no effect here");
        assertThat(r.get(4)).isEqualTo("error: run_command: the argument '/etc/passwd' points outside the workspace; "
                + "commands may only touch files inside it");
        assertThat(r.get(5)).contains("'../outside/x' points outside the workspace");
        assertThat(r.get(6)).isEqualTo("exit code 0\nhere");
        assertThat(r.get(7)).isEqualTo("exit code 0\nHELLO");
        assertThat(dir.resolve("present.txt")).exists();
        assertThat(result.events()).filteredOn(AgentEvent.CommandRun.class::isInstance)
                .extracting(e -> ((AgentEvent.CommandRun) e).command())
                .containsExactly("ls", "ls no-such-file", "cat 'present.txt'", "echo hello | tr a-z A-Z");
        assertThat(result.events()).filteredOn(AgentEvent.CommandRun.class::isInstance).first()
                .isEqualTo(result.events().stream().filter(AgentEvent.CommandRun.class::isInstance).findFirst().orElseThrow())
                .satisfies(e -> assertThat(((AgentEvent.CommandRun) e).exitCode()).isZero());
    }

    @Test
    void aCommandPastItsTimeoutIsKilled() {
        h.settings = h.settings.withAllowedCommands(List.of(AllowedCommand.of("sleep"))).withCommandTimeout(Duration.ofMillis(300));
        h.script(call("run_command", "command", "sleep 30"), finish("waited"));

        AgentResult result = h.run("wait");

        assertThat(h.toolResults().getFirst()).startsWith("error: run_command: 'sleep 30' timed out after 300 ms and was killed");
        assertThat(result.events()).filteredOn(AgentEvent.CommandRun.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((AgentEvent.CommandRun) e).exitCode()).isEqualTo(-1));
        assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").endsWith("sleep")))
                .isEmpty();
    }

    private void write(String name, String content) throws IOException {
        Files.createDirectories(dir.resolve(name).getParent());
        Files.writeString(dir.resolve(name), content);
    }
}
