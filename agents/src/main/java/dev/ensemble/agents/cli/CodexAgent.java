package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Codex CLI, headless: {@code codex exec --json}, with a private {@code CODEX_HOME} whose
 * config.toml names one provider (OpenAI Responses at the task's base URL; codex ignores
 * OPENAI_BASE_URL, and 0.169 refuses the chat wire API). The key is read from an environment
 * variable the config names, so it is never written to disk.
 *
 * <p>First line of permission: the {@code workspace-write} sandbox with approvals off, the worktree
 * as its only shared writable root ({@code [sandbox_workspace_write]}: not the machine's
 * {@code /tmp}, no network for its commands), plus the run's private tmp folder (its
 * {@code TMPDIR}, inside the private home). Without a writable tmp, {@code mktemp} fails and
 * Python's {@code tempfile} falls back to the working directory, dropping stray files into the
 * worktree (seen with codex 0.169). Resume:
 * {@code codex exec resume <thread id> TASK}.
 */
public final class CodexAgent extends CliAgent {
    static final String KEY_VAR = "ENSEMBLE_CODEX_API_KEY";
    static final String LAST_MESSAGE = "last-message.txt";

    public CodexAgent(CliSettings settings) {
        super("codex", "codex", Set.of(WireProtocol.OPENAI_RESPONSES), settings);
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    @Override
    protected Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws IOException {
        Path codexHome = home.folder(".codex");
        // Inside ensemble's OS sandbox codex's own (bubblewrap, nested) cannot start and fails every
        // command: the outer box already confines it to the worktree, so its own is not asked for.
        String mode = settings.launcher().confines() ? "danger-full-access" : "workspace-write";
        home.write(".codex/config.toml", config(task, home.folder("tmp")).replace("sandbox_mode = \"workspace-write\"",
                "sandbox_mode = \"" + mode + "\""));
        Path lastMessage = home.resolve(LAST_MESSAGE);
        List<String> command = new ArrayList<>(List.of(binary.toString(), "exec"));
        if (task.resumeSessionId().isPresent()) {
            // "exec resume" takes no -C or -s: the working directory is the worktree and the sandbox comes from config.toml.
            command.add("resume");
        } else {
            command.addAll(List.of("-C", workspace.directory().toString(), "-s",
                    settings.launcher().confines() ? "danger-full-access" : "workspace-write"));
        }
        command.addAll(List.of("--json", "--skip-git-repo-check",
                "-c", "approval_policy=\"never\"",
                "--disable", "plugins", "--disable", "apps", "--disable", "remote_plugin",
                "-m", task.model().wireName(),
                "-o", lastMessage.toString()));
        task.resumeSessionId().ifPresent(command::add);
        command.add(task.prompt());
        return new Invocation(command, Map.of(
                "CODEX_HOME", codexHome.toString(),
                KEY_VAR, task.apiKey().orElse("ensemble-no-key")), new CodexJsonParser());
    }

    /** The config of one run; {@code tmp} is the run's private TMPDIR, its only writable folder besides the worktree. */
    static String config(AgentTask task, Path tmp) {
        return """
                model = %s
                model_provider = "ensemble"
                approval_policy = "never"
                sandbox_mode = "workspace-write"
                check_for_update_on_startup = false

                [analytics]
                enabled = false

                # Its commands may write the worktree (codex's -C folder) and the run's private tmp
                # folder only: not the shared /tmp; and they reach no network.
                [sandbox_workspace_write]
                writable_roots = [%s]
                network_access = false
                exclude_tmpdir_env_var = true
                exclude_slash_tmp = true

                [model_providers.ensemble]
                name = "ensemble"
                base_url = %s
                env_key = "%s"
                wire_api = "responses"
                """.formatted(toml(task.model().wireName()), toml(tmp.toAbsolutePath().toString()),
                toml(BaseUrls.openAi(task.provider().baseUrl())), KEY_VAR);
    }

    /** A TOML basic string. */
    static String toml(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    protected List<dev.ensemble.agents.AgentEvent> afterRun(PrivateHome home, RunSummary summary) {
        if (!summary.finalMessage().isBlank()) return List.of();
        Path file = home.resolve(LAST_MESSAGE);
        try {
            if (Files.isRegularFile(file)) summary.finalMessage(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (IOException ignored) {
            // The message from the event stream (none here) stands.
        }
        return List.of();
    }
}
