package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line, environment and config files each adapter gives its CLI, as a recording fake
 * CLI saw them: the documented headless flags, a private home, no inherited environment, telemetry
 * and update checks off, and the key only where the CLI reads it.
 */
class AdapterInvocationTest {
    /** What a CLI may get from the parent environment; everything else must not leak through. */
    private static final Set<String> INHERITABLE = Set.of("PATH", "LANG", "USER", "LOGNAME");

    @TempDir Path tmp;
    private Workspace workspace;

    @BeforeEach
    void repo() throws Exception {
        workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
    }

    private record Recorded(List<String> args, Map<String, String> env, Path dir, AgentResult result, boolean resumed) {
        String file(String name) throws IOException {
            return Files.readString(dir.resolve(name));
        }
    }

    private Recorded record(Function<CliSettings, CliAgent> adapter, WireProtocol wire, String baseUrl, Optional<String> resume)
            throws IOException {
        CliSettings probe = FakeClis.settings(tmp);
        String name = adapter.apply(probe).name();
        CliSettings settings = probe.withBinary(name, FakeClis.install(tmp.resolve("bin"), "record.sh", name));
        if (resume.isPresent()) {
            // A session a resume can find: an earlier run's home, kept for it.
            PrivateHome earlier = PrivateHome.open(settings, name, Optional.empty());
            earlier.keepFor(resume.get());
            earlier.close();
        }
        AgentTask task = new AgentTask("run1", "task1", "write hello.txt", TestRepos.model("coder-1"),
                TestRepos.provider(wire, baseUrl), Optional.of(TestRepos.KEY), List.of("hello.txt"), Duration.ofSeconds(30), resume);
        AgentResult result = adapter.apply(settings).run(task, workspace, e -> { });
        Path dir = tmp.resolve("homes").resolve("recorded");
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new Recorded(Files.readAllLines(dir.resolve("args")), env, dir, result, resume.isPresent());
    }

    private void assertPrivate(Recorded r, String... keyVars) throws IOException {
        Path home = Path.of(r.env().get("HOME"));
        assertThat(home.startsWith(tmp.resolve("homes"))).as(home + " is under the test's home root").isTrue();
        if (r.resumed()) {
            assertThat(home).as("a resumed session's home stays kept").exists();
        } else {
            assertThat(home).as("the private home is deleted after the run").doesNotExist();
        }
        assertThat(r.env()).containsEntry("TERM", "dumb").containsEntry("TMPDIR", home.resolve("tmp").toString());
        assertThat(r.file("pwd").strip()).isEqualTo(workspace.directory().toString());
        assertThat(r.file("stdin")).as("stdin is /dev/null").isEmpty();
        for (String parent : System.getenv().keySet()) {
            if (!INHERITABLE.contains(parent) && !r.env().containsKey(parent)) continue;
            if (INHERITABLE.contains(parent)) continue;
            // A variable of the same name may be set by the adapter itself (HOME, TERM ...), never copied.
            assertThat(r.env().get(parent)).as("inherited " + parent).isNotEqualTo(System.getenv(parent));
        }
        assertThat(r.args()).noneMatch(a -> a.contains(TestRepos.KEY));
        for (var entry : r.env().entrySet()) {
            if (entry.getValue().contains(TestRepos.KEY)) assertThat(keyVars).as("key in " + entry.getKey()).contains(entry.getKey());
        }
        for (String var : keyVars) assertThat(r.env()).containsEntry(var, TestRepos.KEY);
    }

    @Test
    void claude() throws IOException {
        Recorded r = record(ClaudeAgent::new, WireProtocol.ANTHROPIC, "http://127.0.0.1:8080/v1/", Optional.empty());

        assertThat(r.args()).containsSubsequence("-p", "write hello.txt").containsSubsequence("--output-format", "stream-json")
                .contains("--verbose").containsSubsequence("--model", "coder-1")
                .containsSubsequence("--permission-mode", "dontAsk")
                .doesNotContain("--allowedTools").doesNotContain("--resume");
        // File writes are allowed per owned path, never for every path.
        String root = "/" + workspace.directory().toAbsolutePath().normalize();
        tools.jackson.databind.JsonNode permissions = JsonLineParser.JSON.readTree(r.file(".claude/settings.json")).path("permissions");
        assertThat(permissions.path("defaultMode").asString()).isEqualTo("dontAsk");
        assertThat(permissions.path("allow").toString()).contains("\"Edit(" + root + "/hello.txt)\"", "\"Bash\"", "\"Read\"")
                .doesNotContain("\"Write\"", "\"Edit\"");
        assertThat(permissions.path("deny").toString()).contains("WebFetch", "Edit(" + root + "/.git/**)");
        assertThat(r.env()).containsEntry("ANTHROPIC_BASE_URL", "http://127.0.0.1:8080")
                .containsEntry("CLAUDE_CONFIG_DIR", r.env().get("HOME") + "/.claude")
                .containsEntry("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1").containsEntry("DISABLE_AUTOUPDATER", "1")
                .containsEntry("DISABLE_TELEMETRY", "1").containsEntry("DISABLE_ERROR_REPORTING", "1");
        assertPrivate(r, "ANTHROPIC_API_KEY");
        assertThat(r.result().status()).as("a CLI that prints nothing did not succeed").isEqualTo(AgentResult.Status.FAILED);
        assertThat(r.result().failureReason()).contains("claude exited 0 without its final result");
    }

    @Test
    void claudeMayWriteOnlyTheOwnedPathsOfItsWorktree() {
        Path worktree = Path.of("/tmp/wt/run/task");
        String json = ClaudeAgent.settings(worktree, List.of("src/auth/**", "docs/auth.md"));
        tools.jackson.databind.JsonNode allow = JsonLineParser.JSON.readTree(json).path("permissions").path("allow");
        List<String> edits = new java.util.ArrayList<>();
        allow.forEach(rule -> { if (rule.asString().startsWith("Edit")) edits.add(rule.asString()); });
        assertThat(edits).containsExactly("Edit(//tmp/wt/run/task/src/auth/**)", "Edit(//tmp/wt/run/task/docs/auth.md)");
    }

    @Test
    void claudeRulesNameBothPathsOfAWorktreeReachedThroughASymlink() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("real-wt")).toRealPath();
        Path link = Files.createSymbolicLink(tmp.resolve("link-wt"), real);
        tools.jackson.databind.JsonNode permissions = JsonLineParser.JSON.readTree(ClaudeAgent.settings(link, List.of("a.txt")))
                .path("permissions");
        assertThat(permissions.path("allow").toString()).contains("Edit(/" + link + "/a.txt)", "Edit(/" + real + "/a.txt)");
        assertThat(permissions.path("deny").toString()).contains("Edit(/" + link + "/.git/**)", "Edit(/" + real + "/.git/**)");
    }

    @Test
    void claudeResume() throws IOException {
        Recorded r = record(ClaudeAgent::new, WireProtocol.ANTHROPIC, "http://127.0.0.1:8080", Optional.of("sess-1"));
        assertThat(r.args()).containsSubsequence("--resume", "sess-1");
    }

    @Test
    void codex() throws IOException {
        Recorded r = record(CodexAgent::new, WireProtocol.OPENAI_RESPONSES, "http://127.0.0.1:8080/v1", Optional.empty());

        assertThat(r.args()).startsWith("exec").containsSubsequence("-C", workspace.directory().toString())
                .containsSubsequence("-s", "workspace-write").contains("--json", "--skip-git-repo-check")
                .containsSubsequence("-c", "approval_policy=\"never\"").containsSubsequence("--disable", "plugins")
                .containsSubsequence("-m", "coder-1").endsWith("write hello.txt");
        String config = r.file(".codex/config.toml");
        assertThat(config).contains("model_provider = \"ensemble\"", "base_url = \"http://127.0.0.1:8080/v1\"",
                "env_key = \"ENSEMBLE_CODEX_API_KEY\"", "wire_api = \"responses\"", "check_for_update_on_startup = false",
                "[analytics]\nenabled = false", "sandbox_mode = \"workspace-write\"", "[sandbox_workspace_write]",
                "writable_roots = [\"" + r.env().get("TMPDIR") + "\"]", "network_access = false", "exclude_tmpdir_env_var = true", "exclude_slash_tmp = true")
                .doesNotContain(TestRepos.KEY);
        assertThat(r.env()).containsEntry("CODEX_HOME", r.env().get("HOME") + "/.codex");
        assertPrivate(r, "ENSEMBLE_CODEX_API_KEY");
    }

    @Test
    void codexResume() throws IOException {
        Recorded r = record(CodexAgent::new, WireProtocol.OPENAI_RESPONSES, "http://127.0.0.1:8080/v1", Optional.of("0199-abc"));
        assertThat(r.args()).startsWith("exec", "resume").doesNotContain("-C", "-s").endsWith("0199-abc", "write hello.txt");
    }

    @Test
    void opencode() throws IOException {
        Recorded r = record(OpencodeAgent::new, WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1", Optional.empty());

        assertThat(r.args()).startsWith("run", "--pure", "--format", "json").containsSubsequence("--dir", workspace.directory().toString())
                .containsSubsequence("-m", "ensemble/coder-1").endsWith("write hello.txt");
        var config = JsonLineParser.JSON.readTree(r.file("opencode-config.json"));
        var provider = config.path("provider").path("ensemble");
        assertThat(provider.path("npm").asString()).isEqualTo("@ai-sdk/openai-compatible");
        assertThat(provider.path("options").path("baseURL").asString()).isEqualTo("http://127.0.0.1:8080/v1");
        assertThat(provider.path("options").path("apiKey").asString()).isEqualTo("{env:ENSEMBLE_OPENCODE_API_KEY}");
        assertThat(provider.path("models").path("coder-1").path("tool_call").asBoolean()).isTrue();
        assertThat(provider.path("models").path("coder-1").path("cost").path("input").asDouble()).isEqualTo(3.0);
        assertThat(config.path("autoupdate").asBoolean(true)).isFalse();
        // The title request's tokens are in none of opencode's JSON events: it is not made at all.
        assertThat(config.path("agent").path("title").path("disable").asBoolean(false)).isTrue();
        // Edits only of the owned paths (last matching rule wins), never .git, nothing outside the worktree.
        assertThat(config.path("permission").path("edit").toString())
                .isEqualTo("{\"*\":\"deny\",\"hello.txt\":\"allow\",\".git\":\"deny\",\".git/*\":\"deny\"}");
        assertThat(config.path("permission").path("external_directory").asString()).isEqualTo("deny");
        assertThat(r.env()).containsEntry("OPENCODE_DISABLE_AUTOUPDATE", "1").containsEntry("OPENCODE_DISABLE_MODELS_FETCH", "1")
                .containsEntry("OPENCODE_DISABLE_SHARE", "1").containsEntry("OPENCODE_DISABLE_LSP_DOWNLOAD", "1")
                .containsEntry("OPENCODE_DISABLE_DEFAULT_PLUGINS", "1").containsKey("XDG_DATA_HOME");
        assertPrivate(r, "ENSEMBLE_OPENCODE_API_KEY");
    }

    /**
     * opencode npm-installs its plugin SDK into its config folder unless that folder has a
     * node_modules and a lock file listing the SDK: the home carries both, so no run downloads it.
     */
    @Test
    void opencodeFindsItsPluginSdkAlreadyInstalled() throws IOException {
        Recorded r = record(OpencodeAgent::new, WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1", Optional.empty());

        assertThat(r.env()).containsEntry("XDG_CONFIG_HOME", r.env().get("HOME") + "/.config");
        var manifest = JsonLineParser.JSON.readTree(r.file(".config/opencode/package.json"));
        var lock = JsonLineParser.JSON.readTree(r.file(".config/opencode/package-lock.json"));
        List<String> wanted = new java.util.ArrayList<>();
        manifest.path("dependencies").propertyNames().forEach(wanted::add);
        List<String> locked = new java.util.ArrayList<>();
        lock.path("packages").path("").path("dependencies").propertyNames().forEach(locked::add);
        assertThat(wanted).containsExactly("@opencode-ai/plugin");
        assertThat(locked).containsAll(wanted);
        assertThat(r.file("dirs").lines()).contains("./.config/opencode/node_modules");
    }

    @Test
    void opencodeResume() throws IOException {
        Recorded r = record(OpencodeAgent::new, WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1", Optional.of("ses_1"));
        assertThat(r.args()).containsSubsequence("--session", "ses_1");
    }

    @Test
    void gemini() throws IOException {
        Recorded r = record(GeminiAgent::new, WireProtocol.GEMINI, "http://127.0.0.1:8080/v1beta", Optional.of("g-1"));

        assertThat(r.args()).containsSubsequence("-p", "write hello.txt").containsSubsequence("--output-format", "stream-json")
                .containsSubsequence("--approval-mode", "yolo").containsSubsequence("-m", "coder-1").containsSubsequence("--resume", "g-1");
        var settings = JsonLineParser.JSON.readTree(r.file(".gemini/settings.json"));
        assertThat(settings.path("security").path("auth").path("selectedType").asString()).isEqualTo("gemini-api-key");
        assertThat(settings.path("telemetry").path("enabled").asBoolean(true)).isFalse();
        assertThat(settings.path("privacy").path("usageStatisticsEnabled").asBoolean(true)).isFalse();
        assertThat(settings.path("general").path("enableAutoUpdate").asBoolean(true)).isFalse();
        assertThat(r.env()).containsEntry("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:8080")
                .containsEntry("GEMINI_CLI_HOME", r.env().get("HOME")).containsEntry("GEMINI_CLI_TRUST_WORKSPACE", "true");
        assertPrivate(r, "GEMINI_API_KEY");
    }

    @Test
    void qwen() throws IOException {
        Recorded r = record(QwenAgent::new, WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1", Optional.empty());

        assertThat(r.args()).containsSubsequence("-p", "write hello.txt").containsSubsequence("--output-format", "stream-json")
                .containsSubsequence("--auth-type", "openai").containsSubsequence("--approval-mode", "yolo");
        var settings = JsonLineParser.JSON.readTree(r.file(".qwen/settings.json"));
        assertThat(settings.path("security").path("auth").path("selectedType").asString()).isEqualTo("openai");
        assertThat(settings.path("telemetry").path("enabled").asBoolean(true)).isFalse();
        assertThat(r.env()).containsEntry("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1").containsEntry("OPENAI_MODEL", "coder-1")
                .containsEntry("QWEN_HOME", r.env().get("HOME") + "/.qwen")
                .doesNotContainKeys("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy");
        assertPrivate(r, "OPENAI_API_KEY");
    }

    @Test
    void continueCn() throws IOException {
        Recorded r = record(ContinueAgent::new, WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1", Optional.empty());

        assertThat(r.args()).containsSubsequence("-p", "write hello.txt").contains("--auto").containsSubsequence("--format", "json");
        String config = r.file(".continue/config.yaml");
        assertThat(config).contains("provider: openai", "model: \"coder-1\"", "apiBase: \"http://127.0.0.1:8080/v1\"",
                "capabilities: [tool_use]", "apiKey: \"" + TestRepos.KEY + "\"");
        assertThat(r.args()).containsSubsequence("--config", r.env().get("HOME") + "/.continue/config.yaml");
        assertThat(r.env()).containsEntry("CONTINUE_GLOBAL_DIR", r.env().get("HOME") + "/.continue")
                .containsEntry("CONTINUE_CLI_ENABLE_TELEMETRY", "0").containsEntry("CONTINUE_METRICS_ENABLED", "0");
        // cn's version check (fetch of api.continue.dev at every start) is refused by a preloaded guard.
        assertThat(r.env()).containsEntry("NODE_OPTIONS", "--require=" + r.env().get("HOME") + "/ensemble-offline.cjs");
        assertThat(r.file("ensemble-offline.cjs")).contains("[\"continue.dev\"]", "delete process.env.NODE_OPTIONS");
        assertPrivate(r);
    }

    @Test
    void continueResumeOfAKeptHomeWithoutItsSessionFileFailsBeforeStarting() throws IOException {
        CliSettings settings = FakeClis.settings(tmp).withBinary("cn", FakeClis.install(tmp.resolve("bin"), "record.sh", "cn"));
        AgentTask task = new AgentTask("run1", "task1", "go on", TestRepos.model("coder-1"),
                TestRepos.provider(WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1"), Optional.empty(), List.of(),
                Duration.ofSeconds(30), Optional.of("nope"));
        PrivateHome earlier = PrivateHome.open(settings, "cn", Optional.empty());
        earlier.keepFor("nope");
        earlier.close();
        AgentResult result = new ContinueAgent(settings).run(task, workspace, e -> { });

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.failureReason()).contains("no kept cn session nope");
        assertThat(tmp.resolve("homes/recorded")).doesNotExist();
    }

    @Test
    void aiderForEachWire() throws IOException {
        Recorded openai = record(AiderAgent::new, WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1", Optional.empty());
        assertThat(openai.args()).containsSubsequence("--message", "write hello.txt").contains("--yes-always", "--no-auto-commits")
                .containsSubsequence("--model", "openai/coder-1").contains("--no-check-update", "--no-analytics", "--no-gitignore",
                        "--no-pretty", "--no-stream");
        assertThat(openai.env()).containsEntry("OPENAI_API_BASE", "http://127.0.0.1:8080/v1");
        assertPrivate(openai, "OPENAI_API_KEY");

        Recorded anthropic = record(AiderAgent::new, WireProtocol.ANTHROPIC, "http://127.0.0.1:8080/v1", Optional.empty());
        assertThat(anthropic.args()).containsSubsequence("--model", "anthropic/coder-1");
        assertThat(anthropic.env()).containsEntry("ANTHROPIC_API_BASE", "http://127.0.0.1:8080");
        assertPrivate(anthropic, "ANTHROPIC_API_KEY");

        Recorded gemini = record(AiderAgent::new, WireProtocol.GEMINI, "http://127.0.0.1:8080", Optional.empty());
        assertThat(gemini.args()).containsSubsequence("--model", "gemini/coder-1");
        assertPrivate(gemini, "GEMINI_API_KEY");

        Recorded ollama = record(AiderAgent::new, WireProtocol.OLLAMA, "http://127.0.0.1:11434/", Optional.empty());
        assertThat(ollama.args()).containsSubsequence("--model", "ollama_chat/coder-1");
        assertThat(ollama.env()).containsEntry("OLLAMA_API_BASE", "http://127.0.0.1:11434");
    }

    @Test
    void aKeptSessionHomeHoldsNoKeyFile() throws IOException {
        // A cn run that leaves a session: the home is kept for resume, its key-bearing config is not.
        Path fake = tmp.resolve("bin/cn");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, """
                #!/bin/sh
                mkdir -p "$CONTINUE_GLOBAL_DIR/sessions"
                echo '{"sessionId":"s-42","history":[],"usage":{"promptTokens":3,"completionTokens":1}}' > "$CONTINUE_GLOBAL_DIR/sessions/s-42.json"
                echo '{"response":"ok","status":"success"}'
                """);
        fake.toFile().setExecutable(true);
        CliSettings settings = FakeClis.settings(tmp).withBinary("cn", fake);
        AgentTask task = TestRepos.task("go", TestRepos.model("coder-1"),
                TestRepos.provider(WireProtocol.OPENAI_CHAT, "http://127.0.0.1:8080/v1"), Duration.ofSeconds(30));
        AgentResult result = new ContinueAgent(settings).run(task, workspace, e -> { });

        assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
        assertThat(result.sessionId()).contains("s-42");
        Path kept = settings.sessionsRoot().resolve("cn").resolve("s-42");
        assertThat(kept).isSymbolicLink();
        assertThat(kept.resolve(".continue/sessions/s-42.json")).exists();
        try (Stream<Path> files = Files.walk(kept.toRealPath())) {
            assertThat(files.filter(Files::isRegularFile)).noneMatch(f -> {
                try {
                    return Files.readString(f).contains(TestRepos.KEY);
                } catch (IOException e) {
                    return false;
                }
            });
        }
        assertThat(PrivateHome.discard(settings, "cn", "s-42")).isTrue();
        assertThat(kept).doesNotExist();
    }
}
