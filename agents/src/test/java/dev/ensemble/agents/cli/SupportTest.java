package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small helpers: environment, private homes, base URLs, git changes, versions. */
class SupportTest {
    @TempDir Path tmp;

    @Test
    void theBaseEnvironmentKeepsNothingButPathLocaleAndProxies() {
        Map<String, String> parent = Map.of("PATH", "/usr/bin", "LANG", "de_DE.UTF-8", "OPENAI_API_KEY", "sk-user",
                "ANTHROPIC_API_KEY", "sk-ant-user", "HOME", "/home/user", "HTTPS_PROXY", "http://proxy:3128", "NO_PROXY", "corp.local",
                "XDG_CONFIG_HOME", "/home/user/.config");
        Path home = tmp.resolve("home");

        Map<String, String> env = ProcessEnv.base(home, Path.of("/opt/cli/bin/claude"), true, parent);

        assertThat(env).containsEntry("PATH", "/opt/cli/bin:/usr/bin").containsEntry("HOME", home.toString())
                .containsEntry("LANG", "de_DE.UTF-8").containsEntry("TERM", "dumb")
                .containsEntry("XDG_CONFIG_HOME", home.resolve(".config").toString())
                .containsEntry("HTTPS_PROXY", "http://proxy:3128")
                .containsEntry("NO_PROXY", "corp.local,localhost,127.0.0.1,::1")
                .doesNotContainKeys("OPENAI_API_KEY", "ANTHROPIC_API_KEY");
        assertThat(ProcessEnv.base(home, Path.of("/opt/cli/bin/qwen"), false, parent))
                .doesNotContainKeys("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy");
        assertThat(new QwenAgent(CliSettings.defaults()).passesProxy()).isFalse();
        assertThat(new ClaudeAgent(CliSettings.defaults()).passesProxy()).isTrue();
    }

    @Test
    void aPrivateHomeIsDeletedWithItsSecretsUnlessKeptForASession() throws Exception {
        CliSettings settings = FakeClis.settings(tmp);
        PrivateHome home = PrivateHome.open(settings, "claude", Optional.empty());
        Path secret = home.writeSecret("conf/key.yaml", "apiKey: x");
        assertThat(Files.getPosixFilePermissions(secret)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        home.close();
        assertThat(home.dir()).doesNotExist();

        PrivateHome kept = PrivateHome.open(settings, "claude", Optional.empty());
        kept.write("session/log.jsonl", "{}");
        Path keySecret = kept.writeSecret("conf/key.yaml", "apiKey: x");
        kept.keepFor("sess/1");
        kept.close();
        assertThat(kept.dir().resolve("session/log.jsonl")).exists();
        assertThat(keySecret).doesNotExist();
        assertThat(kept.keptAt()).contains(settings.sessionsRoot().resolve("claude/sess_1"));

        PrivateHome resumed = PrivateHome.open(settings, "claude", Optional.of("sess/1"));
        assertThat(resumed.dir()).isEqualTo(kept.dir().toRealPath());
        resumed.close();
        assertThat(kept.dir()).as("a resume that produced no session id keeps the session").exists();
        assertThat(PrivateHome.discard(settings, "claude", "sess/1")).isTrue();
        assertThat(kept.dir()).doesNotExist();
        assertThat(PrivateHome.discard(settings, "claude", "sess/1")).isFalse();
    }

    @Test
    void aHomeKeptNowIsLinkedBeforeItClosesSoAKilledRunCanBeResumed() throws Exception {
        CliSettings settings = FakeClis.settings(tmp);
        PrivateHome home = PrivateHome.open(settings, "codex", Optional.empty());
        home.write("sessions/rollout.jsonl", "{}");
        home.keepNow("thread-7");
        // No close(): as after kill -9.
        Path link = settings.sessionsRoot().resolve("codex/thread-7");
        assertThat(link).isSymbolicLink();
        PrivateHome resumed = PrivateHome.open(settings, "codex", Optional.of("thread-7"));
        assertThat(resumed.resumes()).isTrue();
        assertThat(resumed.dir()).isEqualTo(home.dir().toRealPath());
        assertThat(resumed.resolve("sessions/rollout.jsonl")).exists();
        resumed.close();
        PrivateHome fresh = PrivateHome.open(settings, "codex", Optional.of("thread-unknown"));
        assertThat(fresh.resumes()).isFalse();
        fresh.close();
    }

    @Test
    void baseUrlsForEachCli() {
        assertThat(BaseUrls.anthropic("https://api.anthropic.com/v1/")).isEqualTo("https://api.anthropic.com");
        assertThat(BaseUrls.anthropic("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080");
        assertThat(BaseUrls.gemini("https://generativelanguage.googleapis.com/v1beta")).isEqualTo("https://generativelanguage.googleapis.com");
        assertThat(BaseUrls.openAi("https://api.openai.com/v1/")).isEqualTo("https://api.openai.com/v1");
        assertThat(BaseUrls.ollama("http://localhost:11434/api")).isEqualTo("http://localhost:11434");
    }

    @Test
    void gitChangesFromPorcelain() throws Exception {
        assertThat(GitChanges.parse(" M src/a.java\0?? new file.txt\0R  to.txt\0from.txt\0D  gone.md\0"))
                .containsExactly("src/a.java", "new file.txt", "to.txt", "gone.md");

        var workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        Files.writeString(workspace.directory().resolve("README.md"), "changed\n");
        Files.createDirectories(workspace.directory().resolve("dir"));
        Files.writeString(workspace.directory().resolve("dir/ünï côde.txt"), "x");
        assertThat(GitChanges.list(workspace.directory())).containsExactlyInAnyOrder("README.md", "dir/ünï côde.txt");
        assertThat(GitChanges.list(tmp.resolve("not-a-repo"))).isEmpty();
    }

    @Test
    void versionsFromVersionOutput() {
        assertThat(CliAgent.version("2.1.197 (Claude Code)")).isEqualTo("2.1.197");
        assertThat(CliAgent.version("codex-cli 0.169.0")).isEqualTo("0.169.0");
        assertThat(CliAgent.version("aider 0.86.1")).isEqualTo("0.86.1");
        assertThat(CliAgent.version("no version here")).isEmpty();
    }

    @Test
    void tomlStringsAreEscaped() {
        assertThat(CodexAgent.toml("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c\\nd\"");
    }
}
