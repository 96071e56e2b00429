package dev.ensemble.cli;

import dev.ensemble.agents.workspace.Git;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The demo's orchestrated run: a small sample repository in a temporary folder, a scripted planner
 * and scripted models driving ensemble's builtin agent, with everything else real — worktrees, the
 * Enforcer, the Judge running the sample's tests, merges and the report. One task is scripted to
 * write a lock file it must not touch, so the demo shows a rejection.
 */
final class DemoRun {
    static final String REQUEST = "add a greeting and its answer, with tests and docs";
    static final String PLAN = """
            {"specs": [{"path": "specs/greeting.md", "content": "# Greeting\\n\\nsrc/greet.txt says hello; src/answer.txt answers hi.\\n"}],
             "tasks": [
               {"id": "tests", "title": "Write the greeting test cases", "kind": "coding", "files": ["tests/cases.txt"],
                "acceptance": "the cases name both files", "description": "DEMO-TESTS write the test cases"},
               {"id": "greet", "title": "Implement the greeting", "kind": "coding", "files": ["src/greet.txt"], "depends_on": ["tests"],
                "test_first": true, "acceptance": "src/greet.txt contains hello", "description": "DEMO-GREET write the greeting"},
               {"id": "answer", "title": "Implement the answer", "kind": "coding", "files": ["src/answer.txt"], "depends_on": ["tests"],
                "acceptance": "src/answer.txt contains hi", "description": "DEMO-ANSWER write the answer"},
               {"id": "pin-deps", "title": "Pin the dependencies", "kind": "coding", "files": ["deps/**"], "depends_on": ["tests"],
                "acceptance": "dependencies pinned", "description": "DEMO-LOCK pin the dependencies"},
               {"id": "docs", "title": "Document the greeting", "kind": "coding", "files": ["docs/greeting.md"],
                "depends_on": ["greet", "answer"], "acceptance": "docs describe both", "description": "DEMO-DOCS write the docs"}
             ]}""";

    private DemoRun() {}

    /** Runs the orchestrated demo; returns `go`'s exit code (1 is expected: the lock-file task fails). */
    static int run(Terminal term, ScriptedModelServer server, Catalog scripted) throws IOException {
        Path root = Files.createTempDirectory("ensemble-demo-");
        Path repo = root.resolve("sample");
        Files.createDirectories(repo.resolve("tests"));
        Files.writeString(repo.resolve("README.md"), "# sample\n\nA repository made by `ensemble demo`.\n");
        Files.writeString(repo.resolve("tests/run.sh"), """
                #!/bin/sh
                # The sample's test suite: each implemented file must say what the spec says.
                set -e
                if [ -f src/greet.txt ]; then grep -q hello src/greet.txt; fi
                if [ -f src/answer.txt ]; then grep -q hi src/answer.txt; fi
                echo "checks passed"
                """);
        git(repo, "init", "-q", "-b", "main");
        git(repo, "add", "-A");
        git(repo, "-c", "user.name=demo", "-c", "user.email=demo@localhost", "commit", "-q", "-m", "sample repository");

        server.localModels(List.of("scripted-coder"));
        script(server);
        try (AppContext app = new AppContext(term, repo, new ConfigLoader(null, null, Map.of()))) {
            app.overlay(scripted);
            app.overrideLocalOnly(true);
            term.out().println(term.dim("  sample repository: " + repo + " (tests: sh tests/run.sh)"));
            term.out().println(term.dim("  scripted here: the planner's plan, the agents' tool calls and the reviewer's verdicts."
                    + " Real: worktrees, enforcement, the sample's tests, merges, the report."));
            int code = Main.run(app, "go", "--planner", "scripted-coder", "--model", "scripted-coder", "--parallel", "2",
                    "--test-command", "sh tests/run.sh", "--timeout", "2m", REQUEST);
            term.out().println(term.dim("  your branch main (untouched): " + String.join(", ", git(repo, "ls-tree", "-r", "--name-only", "HEAD").lines().toList())));
            String branches = git(repo, "branch", "--list", "ensemble/*");
            for (String branch : branches.lines().map(String::strip).filter(b -> b.endsWith("/_run")).toList()) {
                term.out().println(term.dim("  run branch " + branch + ": "
                        + String.join(", ", git(repo, "ls-tree", "-r", "--name-only", branch).lines().toList())
                        + " (no deps/package-lock.json: it was rejected)"));
            }
            return code;
        }
    }

    private static void script(ScriptedModelServer server) {
        server.rule(Rule.text(PLAN).whenTools(false).whenPrompt("^Request:").named("demo planner"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("demo reviewer"));
        write(server, "DEMO-TESTS", "tests/cases.txt", "greet.txt says hello\\nanswer.txt says hi\\n");
        write(server, "DEMO-GREET", "src/greet.txt", "hello\\n");
        write(server, "DEMO-ANSWER", "src/answer.txt", "hi\\n");
        write(server, "DEMO-LOCK", "deps/package-lock.json", "{\\\"lockfileVersion\\\": 3}");
        write(server, "DEMO-DOCS", "docs/greeting.md", "# Greeting\\n\\nhello, and hi back.\\n");
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true)
                .whenPrompt("DEMO-").named("demo finish"));
    }

    private static void write(ScriptedModelServer server, String marker, String path, String content) {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"" + path + "\",\"content\":\"" + content + "\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt(marker).named("demo " + marker));
    }

    private static String git(Path repo, String... args) {
        return Git.in(repo).ok(args);
    }
}
