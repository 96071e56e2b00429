package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * aider, from its documented command line: {@code aider --message TASK --yes-always
 * --no-auto-commits --model <prefix>/<model>}, with the endpoint given the way its model library
 * (litellm) reads it: {@code openai/} with OPENAI_API_BASE, {@code anthropic/} with
 * ANTHROPIC_API_BASE, {@code gemini/} with GEMINI_API_BASE, {@code ollama_chat/} with
 * OLLAMA_API_BASE. Plain output, update check and analytics off, no edits to .gitignore, histories
 * in the private home. aider has no session ids: resume is not supported.
 */
public final class AiderAgent extends CliAgent {

    @Override
    protected String installHint() {
        return "a Python package: pipx install aider-chat";
    }


    public AiderAgent(CliSettings settings) {
        super("aider", "aider", Set.of(WireProtocol.OPENAI_CHAT, WireProtocol.ANTHROPIC, WireProtocol.GEMINI, WireProtocol.OLLAMA),
                settings);
    }

    @Override
    public boolean supportsResume() {
        return false;
    }

    @Override
    protected Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws IOException {
        Path envFile = home.write("aider.env", "");
        String base = task.provider().baseUrl();
        String key = task.apiKey().orElse("ensemble-no-key");
        Map<String, String> env = new LinkedHashMap<>();
        String model = switch (task.provider().wire()) {
            case OPENAI_CHAT -> {
                env.put("OPENAI_API_BASE", BaseUrls.openAi(base));
                env.put("OPENAI_API_KEY", key);
                yield "openai/";
            }
            case ANTHROPIC -> {
                env.put("ANTHROPIC_API_BASE", BaseUrls.anthropic(base));
                env.put("ANTHROPIC_API_KEY", key);
                yield "anthropic/";
            }
            case GEMINI -> {
                env.put("GEMINI_API_BASE", BaseUrls.gemini(base));
                env.put("GEMINI_API_KEY", key);
                yield "gemini/";
            }
            case OLLAMA -> {
                env.put("OLLAMA_API_BASE", BaseUrls.ollama(base));
                yield "ollama_chat/";
            }
            case OPENAI_RESPONSES -> throw new IllegalArgumentException("aider does not speak the Responses API");
        } + task.model().wireName();
        List<String> command = List.of(binary.toString(),
                "--message", task.prompt(),
                "--yes-always", "--no-auto-commits", "--no-dirty-commits",
                "--model", model,
                "--no-check-update", "--no-analytics", "--no-show-model-warnings", "--no-show-release-notes",
                "--no-pretty", "--no-stream", "--no-fancy-input", "--no-gitignore",
                "--env-file", envFile.toString(),
                "--input-history-file", home.resolve("aider.input.history").toString(),
                "--chat-history-file", home.resolve("aider.chat.history.md").toString(),
                "--no-restore-chat-history");
        return new Invocation(command, env, new AiderOutputParser());
    }
}
