package dev.ensemble.cli;

import dev.ensemble.testkit.ScriptFile;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "scripted-server", mixinStandardHelpOptions = true,
        description = {"Run ensemble's scripted model server, for tests and demos.",
                "It listens on 127.0.0.1, speaks Ollama, OpenAI chat and Responses, Anthropic Messages and Gemini, and "
                        + "answers from rules (text, tool calls, faults). Point any client or coding CLI at it instead of "
                        + "a cloud."})
final class ScriptedServerCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--port", paramLabel = "P", defaultValue = "0", description = "Port (default: a free one, printed).")
    int port;

    @Option(names = "--script", paramLabel = "FILE", description = "Rules in YAML (see the README); without one, every prompt is echoed.")
    Path script;

    @Override
    public Integer call() throws InterruptedException {
        Terminal term = main.app().terminal();
        if (port < 0 || port > 65535) throw new UserInputException("--port must be within 0..65535");
        ScriptFile rules = null;
        if (script != null) {
            if (!Files.exists(script)) throw new UserInputException("--script: no such file: " + script);
            try {
                rules = ScriptFile.load(script);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
        }
        ScriptedModelServer server = ScriptedModelServer.start(port);
        if (rules != null) rules.applyTo(server);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        term.out().println("scripted model server listening on " + server.baseUrl()
                + (rules == null ? " (no script: echoing prompts)" : " with " + rules.rules().size() + " rules from " + script));
        term.out().println("  ollama " + server.baseUrl() + "/api/chat · openai " + server.baseUrl() + "/v1/chat/completions and /v1/responses"
                + " · anthropic " + server.baseUrl() + "/v1/messages · gemini " + server.baseUrl() + "/v1beta/models/M:generateContent");
        term.out().println("Ctrl-C to stop.");
        stopped.await();
        return ExitCodes.OK;
    }
}
