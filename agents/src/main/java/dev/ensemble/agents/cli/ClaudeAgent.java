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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Claude Code, headless: {@code claude -p TASK --output-format stream-json --verbose}, pointed at
 * an Anthropic Messages endpoint by {@code ANTHROPIC_BASE_URL}, with its config folder private
 * and non-essential traffic (telemetry, update checks, error reports) off.
 *
 * <p>First line of permission, derived from ownership: a {@code settings.json} in its private config
 * folder allows {@code Edit} (which covers every file-writing tool: Write, Edit, MultiEdit,
 * NotebookEdit) only on the task's owned paths inside its worktree ({@code Edit(//WORKTREE/GLOB)}),
 * denies the worktree's {@code .git} and the web tools, and runs in {@code dontAsk} mode, in which
 * whatever is not allowed is refused instead of asked for. Never a blanket
 * {@code --allowedTools Write,Edit}, which approves every path. Its shell tool is not path-scoped:
 * the OS sandbox and the enforcer, which judges the git change set afterwards, cover it.
 * Resume: {@code --resume <session id>}.
 */
public final class ClaudeAgent extends CliAgent {
    /** Tools that change no file by themselves; file writes are allowed per path in settings.json. */
    static final List<String> ALLOWED_TOOLS = List.of("Read", "Glob", "Grep", "LS", "Bash", "TodoWrite");
    static final List<String> DENIED_TOOLS = List.of("WebFetch", "WebSearch");

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
                "--permission-mode", "dontAsk"));
        task.resumeSessionId().ifPresent(id -> {
            command.add("--resume");
            command.add(id);
        });
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ANTHROPIC_BASE_URL", BaseUrls.anthropic(task.provider().baseUrl()));
        // Without a key claude would try an interactive login; a keyless endpoint ignores the placeholder.
        env.put("ANTHROPIC_API_KEY", task.apiKey().orElse("ensemble-no-key"));
        env.put("CLAUDE_CONFIG_DIR", home.folder(".claude").toString());
        home.write(".claude/settings.json", settings(workspace.directory(), task.ownedPaths()));
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

    /**
     * The permissions of one run: {@code Edit(//ABSOLUTE/GLOB)} for each owned glob (Claude Code's
     * rule for an absolute path starts with {@code //}; no globs means the whole worktree), the
     * read-only tools, and denials that win over any allow. Checked with claude 2.1.197 against the
     * scripted server: a Write outside the worktree and a Write or Edit of an unowned file in it are
     * refused at once ("running in don't ask mode", listed in {@code permission_denials}), the owned
     * file is written, a Write into {@code .git} is refused, and Bash still runs. A worktree reached
     * through a symlink gets its rules under both spellings, since the tool may resolve the link.
     */
    static String settings(Path worktree, List<String> owned) {
        ObjectNode permissions = JsonLineParser.JSON.createObjectNode();
        permissions.put("defaultMode", "dontAsk");
        ArrayNode allow = permissions.putArray("allow");
        ALLOWED_TOOLS.forEach(allow::add);
        ArrayNode deny = permissions.putArray("deny");
        DENIED_TOOLS.forEach(deny::add);
        List<String> globs = owned.isEmpty() ? List.of("**") : owned;
        for (Path dir : spellings(worktree)) {
            String root = "/" + dir;
            for (String glob : globs) allow.add("Edit(" + root + "/" + (glob.startsWith("/") ? glob.substring(1) : glob) + ")");
            deny.add("Edit(" + root + "/.git)");
            deny.add("Edit(" + root + "/.git/**)");
        }
        ObjectNode settings = JsonLineParser.JSON.createObjectNode();
        settings.set("permissions", permissions);
        return JsonLineParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(settings);
    }

    /** The worktree's absolute path, and its real path when a symlink makes that another. */
    private static List<Path> spellings(Path worktree) {
        Path absolute = worktree.toAbsolutePath().normalize();
        try {
            Path real = absolute.toRealPath();
            if (!real.equals(absolute)) return List.of(absolute, real);
        } catch (java.io.IOException e) {
            // Not there yet (unit tests): the path as given is the only spelling.
        }
        return List.of(absolute);
    }
}
