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
 * Qwen Code, headless: {@code qwen -p TASK --output-format stream-json --auth-type openai
 * --approval-mode yolo}, pointed at an OpenAI Chat endpoint by {@code OPENAI_BASE_URL}, with a
 * private {@code QWEN_HOME}. It gets no proxy settings: it ignores NO_PROXY, so a proxy would
 * swallow calls to a local endpoint. It prints API failures as a successful result starting with
 * {@code [API Error:}, which the parser turns into a failure. Resume: {@code --resume <session id>}.
 */
public final class QwenAgent extends CliAgent {

    public QwenAgent(CliSettings settings) {
        super("qwen", "qwen", Set.of(WireProtocol.OPENAI_CHAT), settings);
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    @Override
    protected boolean passesProxy() {
        return false;
    }

    @Override
    protected Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws IOException {
        Path qwenHome = home.folder(".qwen");
        home.write(".qwen/settings.json", GeminiAgent.SETTINGS.formatted("openai"));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-p", task.prompt(),
                "--output-format", "stream-json", "--auth-type", "openai", "--approval-mode", "yolo"));
        task.resumeSessionId().ifPresent(id -> {
            command.add("--resume");
            command.add(id);
        });
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QWEN_HOME", qwenHome.toString());
        env.put("OPENAI_BASE_URL", BaseUrls.openAi(task.provider().baseUrl()));
        env.put("OPENAI_API_KEY", task.apiKey().orElse("ensemble-no-key"));
        env.put("OPENAI_MODEL", task.model().wireName());
        env.put("QWEN_TELEMETRY_ENABLED", "false");
        return new Invocation(command, env, new ClaudeStreamParser(ClaudeStreamParser.Flavor.QWEN));
    }
}
