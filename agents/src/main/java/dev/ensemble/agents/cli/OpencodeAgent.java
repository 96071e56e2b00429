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
 */
public final class OpencodeAgent extends CliAgent {
    static final String PROVIDER = "ensemble";
    static final String KEY_VAR = "ENSEMBLE_OPENCODE_API_KEY";

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
