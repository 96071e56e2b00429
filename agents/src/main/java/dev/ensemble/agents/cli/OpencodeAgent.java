package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * opencode, headless: {@code opencode run --pure --format json}, with a private config
 * ({@code OPENCODE_CONFIG}) that defines one OpenAI-compatible provider, {@code ensemble}, with the
 * task's model and its catalog prices (so opencode's reported cost uses them), and no title
 * request (its tokens are in no event, so every request it makes is counted). The key stays in
 * the environment: the config refers to it as {@code {env:...}}. Resume: {@code --session <id>}.
 *
 * <p>Offline: at every start opencode 1.18.33 makes sure its plugin SDK ({@code @opencode-ai/plugin})
 * is installed in its global config folder, and a fresh private home has none, so each run did an
 * {@code npm install} from the registry (~64 MB of node_modules, 13-23 s). No setting or variable
 * turns this off ({@code pluginAutoInstall} is not read). Its check is: a {@code node_modules}
 * folder exists and {@code package-lock.json} lists every dependency of {@code package.json}. The
 * home is given exactly that, with an empty {@code node_modules}: the SDK is only imported by plugins
 * and custom tools in that folder, which ensemble never gives it. Nothing is shared between runs, so
 * no run can plant a plugin in a later run's home.
 */
public final class OpencodeAgent extends CliAgent {
    static final String PROVIDER = "ensemble";
    static final String KEY_VAR = "ENSEMBLE_OPENCODE_API_KEY";
    /** opencode's global config folder inside the private home ({@code $XDG_CONFIG_HOME/opencode}, see ProcessEnv). */
    static final String CONFIG_DIR = ".config/opencode";
    static final String PLUGIN_SDK = "@opencode-ai/plugin";

    public OpencodeAgent(CliSettings settings) {
        super("opencode", "opencode", Set.of(WireProtocol.OPENAI_CHAT), settings);
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    @Override
    protected Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws IOException {
        Path config = home.write("opencode/opencode.json", config(task));
        markPluginSdkInstalled(home);
        String model = PROVIDER + "/" + task.model().wireName();
        List<String> command = new ArrayList<>(List.of(binary.toString(), "run", "--pure", "--format", "json",
                "--dir", workspace.directory().toString(), "-m", model));
        task.resumeSessionId().ifPresent(id -> {
            command.add("--session");
            command.add(id);
        });
        command.add(task.prompt());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OPENCODE_CONFIG", config.toString());
        env.put(KEY_VAR, task.apiKey().orElse("ensemble-no-key"));
        env.put("OPENCODE_DISABLE_AUTOUPDATE", "1");
        env.put("OPENCODE_DISABLE_MODELS_FETCH", "1");
        env.put("OPENCODE_DISABLE_SHARE", "1");
        env.put("OPENCODE_DISABLE_LSP_DOWNLOAD", "1");
        env.put("OPENCODE_DISABLE_DEFAULT_PLUGINS", "1");
        return new Invocation(command, env, new OpencodeJsonParser());
    }

    /** The global config folder (XDG_CONFIG_HOME/opencode) as opencode's dependency check wants it: nothing to install. */
    static void markPluginSdkInstalled(PrivateHome home) throws IOException {
        ObjectNode dependencies = JsonLineParser.JSON.createObjectNode().put(PLUGIN_SDK, "*");
        ObjectNode manifest = JsonLineParser.JSON.createObjectNode();
        manifest.set("dependencies", dependencies);
        ObjectNode lock = JsonLineParser.JSON.createObjectNode().put("lockfileVersion", 3);
        lock.putObject("packages").putObject("").set("dependencies", dependencies.deepCopy());
        home.write(CONFIG_DIR + "/package.json", JsonLineParser.JSON.writeValueAsString(manifest));
        home.write(CONFIG_DIR + "/package-lock.json", JsonLineParser.JSON.writeValueAsString(lock));
        home.folder(CONFIG_DIR + "/node_modules");
    }

    /**
     * First line of permission, from ownership: opencode matches {@code edit} rules (its write, edit
     * and patch tools) against the worktree-relative path, last match winning, so every edit is denied
     * but the owned globs, and the worktree's {@code .git} stays denied. Paths outside the worktree are
     * denied ({@code external_directory}; its default, ask, is refused in a headless run and ends the
     * turn). Checked with opencode 1.18.33 against the scripted server: a write outside the worktree
     * and one to an unowned file are refused with an error the model sees, the owned file is written.
     * Its bash tool is not path-scoped.
     */
    static ObjectNode permission(List<String> owned) {
        ObjectNode permission = JsonLineParser.JSON.createObjectNode();
        ObjectNode edit = permission.putObject("edit");
        edit.put("*", "deny");
        for (String glob : owned.isEmpty() ? List.of("*") : owned) edit.put(glob.startsWith("/") ? glob.substring(1) : glob, "allow");
        edit.put(".git", "deny");
        edit.put(".git/*", "deny");
        permission.put("external_directory", "deny");
        return permission;
    }

    static String config(AgentTask task) {
        ModelSpec spec = task.model();
        ObjectNode root = JsonLineParser.JSON.createObjectNode();
        root.put("$schema", "https://opencode.ai/config.json");
        root.put("autoupdate", false);
        root.put("share", "disabled");
        // opencode names each new session with a side request to the model ("Generate a title for this
        // conversation"), whose tokens appear in none of its JSON events: uncounted spending, for a title
        // in a private home nobody reads. Disabling its title agent removes the request (seen against the
        // scripted server with opencode 1.18.33: 3 requests and 2 step_finish events before, 2 and 2 after).
        root.putObject("agent").putObject("title").put("disable", true);
        root.set("permission", permission(task.ownedPaths()));
        ObjectNode provider = root.putObject("provider").putObject(PROVIDER);
        provider.put("npm", "@ai-sdk/openai-compatible");
        provider.put("name", "ensemble");
        provider.putObject("options")
                .put("baseURL", BaseUrls.openAi(task.provider().baseUrl()))
                .put("apiKey", "{env:" + KEY_VAR + "}");
        ObjectNode model = provider.putObject("models").putObject(spec.wireName());
        model.put("name", spec.id());
        model.put("tool_call", true);
        model.putObject("cost")
                .put("input", spec.pricing().inputPerMtok())
                .put("output", spec.pricing().outputPerMtok())
                .put("cache_read", spec.pricing().cachedInputPerMtok());
        model.putObject("limit").put("context", spec.contextWindow()).put("output", spec.maxOutputTokens());
        return JsonLineParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
