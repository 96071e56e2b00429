package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gemini CLI, headless: {@code gemini -p TASK --output-format stream-json --approval-mode yolo -m M}
 * (the model is always named: without {@code -m} it makes an extra routing call). Its home is
 * {@code GEMINI_CLI_HOME}, with settings that select API-key auth and turn telemetry, usage
 * statistics and updates off. Resume: {@code --resume <session id>}.
 */
public final class GeminiAgent extends CliAgent {

    public GeminiAgent(CliSettings settings) {
        super("gemini", "gemini", Set.of(WireProtocol.GEMINI), settings);
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    @Override
    protected Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws IOException {
        home.write(".gemini/settings.json", SETTINGS.formatted("gemini-api-key"));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-p", task.prompt(),
                "--output-format", "stream-json", "--approval-mode", "yolo", "-m", task.model().wireName()));
        task.resumeSessionId().ifPresent(id -> {
            command.add("--resume");
            command.add(id);
        });
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GEMINI_CLI_HOME", home.dir().toString());
        env.put("GOOGLE_GEMINI_BASE_URL", BaseUrls.gemini(task.provider().baseUrl()));
        env.put("GEMINI_API_KEY", task.apiKey().orElse("ensemble-no-key"));
        env.put("GEMINI_CLI_TRUST_WORKSPACE", "true");
        env.put("GEMINI_TELEMETRY_ENABLED", "false");
        return new Invocation(command, env, new GeminiStreamParser());
    }

    /** Settings shared by Gemini CLI and its fork Qwen Code; the auth type is filled in. */
    static final String SETTINGS = """
            {
              "security": { "auth": { "selectedType": "%s" } },
              "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false },
              "privacy": { "usageStatisticsEnabled": false },
              "telemetry": { "enabled": false }
            }
            """;
}
