package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Claude Code, headless: {@code claude -p TASK --output-format stream-json --verbose}, pointed at
 * an Anthropic Messages endpoint by {@code ANTHROPIC_BASE_URL}, with its config folder private
 * and non-essential traffic (telemetry, update checks, error reports) off.
 *
 * <p>First line of permission: {@code --permission-mode acceptEdits}, which lets file edits through
 * only inside the working directory, with the allowed tools listed and the web tools denied. The
 * enforcer still judges the git change set afterwards. Resume: {@code --resume <session id>}.
 */
public final class ClaudeAgent extends CliAgent {
    static final String ALLOWED_TOOLS = "Read,Write,Edit,MultiEdit,NotebookEdit,Glob,Grep,LS,Bash,TodoWrite";
    static final String DENIED_TOOLS = "WebFetch,WebSearch";

    public ClaudeAgent(CliSettings settings) {
        super("claude", "claude", Set.of(WireProtocol.ANTHROPIC), settings);
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    @Override
    protected Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws java.io.IOException {
        String model = task.model().wireName();
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-p", task.prompt(),
                "--output-format", "stream-json", "--verbose",
                "--model", model,
                "--permission-mode", "acceptEdits",
                "--allowedTools", ALLOWED_TOOLS,
                "--disallowedTools", DENIED_TOOLS));
        task.resumeSessionId().ifPresent(id -> {
            command.add("--resume");
            command.add(id);
        });
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ANTHROPIC_BASE_URL", BaseUrls.anthropic(task.provider().baseUrl()));
        // Without a key claude would try an interactive login; a keyless endpoint ignores the placeholder.
        env.put("ANTHROPIC_API_KEY", task.apiKey().orElse("ensemble-no-key"));
        env.put("CLAUDE_CONFIG_DIR", home.folder(".claude").toString());
        // Side calls (titles, summaries) go to the "small fast" model: the same one, so no other model is named.
        env.put("ANTHROPIC_SMALL_FAST_MODEL", model);
        env.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", model);
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_ERROR_REPORTING", "1");
        env.put("DISABLE_BUG_COMMAND", "1");
        env.put("CLAUDE_CODE_MAX_RETRIES", "3");
        return new Invocation(command, env, new ClaudeStreamParser(ClaudeStreamParser.Flavor.CLAUDE));
    }
}
