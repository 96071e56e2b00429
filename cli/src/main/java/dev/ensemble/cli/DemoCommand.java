package dev.ensemble.cli;

import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.provider.OllamaClient;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Take a guided tour; no key needed.",
                "It runs on a local Ollama if one answers with a model pulled, otherwise on ensemble's built-in scripted "
                        + "models (no keys, no network), and shows doctor, a streamed ask with its usage line, a fallback, "
                        + "the usage ledger and a whole `ensemble go` on a sample repository in a temporary folder."})
final class DemoCommand implements Callable<Integer> {
    static final String DEMO_PROMPT = "In three sentences: how does ensemble pick the right model for a task?";
    static final String DEMO_ANSWER = """
            ensemble scores every model in its catalog for the kind of task at hand (planning, coding, review or \
            search), weighing capability benchmarks against price per token and speed. It only considers models \
            it can actually reach right now, with a resolvable key or pulled into Ollama, and keeps inside your \
            daily budget. When a model fails, the alias's fallback chain hands the request to the next one, and \
            every call lands in the ledger you will see next.""";

    @ParentCommand Main main;

    @Option(names = "--scripted", description = "Use the built-in scripted models even if Ollama is running.")
    boolean forceScripted;

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ProviderSpec ollamaProvider = app.config().catalog().provider("ollama").orElse(null);
        Optional<String> localModel = forceScripted || ollamaProvider == null ? Optional.empty() : pulledModel(app, ollamaProvider);
        try (ScriptedModelServer server = localModel.isPresent() ? null : ScriptedModelServer.start()) {
            String askModel;
            String fallbackAlias = null;
            if (localModel.isPresent()) {
                askModel = localModel.get();
                term.out().println(term.bold("ensemble demo") + " — using your local Ollama at " + ollamaProvider.baseUrl()
                        + " with " + askModel + " (a real model on this machine; no keys, no cloud).");
            } else {
                app.overlay(scriptedCatalog(server));
                askModel = "scripted-coder";
                fallbackAlias = "demo-fallback";
                String why = forceScripted ? "--scripted was given"
                        : ollamaProvider == null ? "no ollama provider is configured"
                        : "no Ollama with a pulled model answered at " + ollamaProvider.baseUrl();
                term.out().println(term.bold("ensemble demo") + " — " + why + ", so this runs on ensemble's " + term.bold("built-in scripted models")
                        + ":");
                term.out().println("  a server on " + server.baseUrl() + " that answers from rules in the real wire protocols (Ollama, OpenAI)."
                        + " No real model, no network, no keys.");
            }
            step(term, 1, "ensemble doctor", "what this machine can use");
            Main.run(app, "doctor");

            step(term, 2, "ensemble ask --model " + askModel + " \"" + DEMO_PROMPT + "\"", "a streamed answer and its usage line");
            int asked = Main.run(app, "ask", "--model", askModel, DEMO_PROMPT);
            if (asked != ExitCodes.OK) return asked;

            if (fallbackAlias != null) {
                step(term, 3, "ensemble ask --alias " + fallbackAlias + " \"Say hello.\"",
                        "the alias's first model answers HTTP 500 (retried, then skipped); the next model in the chain answers");
                int fell = Main.run(app, "ask", "--alias", fallbackAlias, "Say hello.");
                if (fell != ExitCodes.OK) return fell;
            }

            int n = fallbackAlias != null ? 4 : 3;
            step(term, n, "ensemble usage --since " + start, "every attempt is a row in the ledger (" + app.store().description() + ")");
            Main.run(app, "usage", "--since", start.toString());

            step(term, n + 1, "ensemble go \"" + DemoRun.REQUEST + "\"",
                    "the main job on a sample repository: plan, specs first, tasks in parallel, one rejected, judged by real tests, merged, reported");
            try (ScriptedModelServer runServer = ScriptedModelServer.start()) {
                int ran = DemoRun.run(term, runServer, catalogFor(runServer));
                if (ran == ExitCodes.BAD_INPUT) return ran;
                term.out().println(ran == ExitCodes.FAILED
                        ? term.dim("  (exit 1 is expected here: the pin-deps task wrote a lock file it may not touch; the Enforcer rejected it every time)")
                        : "");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            term.out().println();
            term.out().println("Next: `./ensemble models` lists the catalog; set a key (e.g. ANTHROPIC_API_KEY) or pull an Ollama model and `./ensemble ask \"...\"`.");
            return ExitCodes.OK;
        }
    }

    private static void step(Terminal term, int n, String command, String what) {
        term.out().println();
        term.out().println(term.cyan("── " + n + ". $ " + command) + term.dim("   # " + what));
    }

    private static Optional<String> pulledModel(AppContext app, ProviderSpec ollama) {
        OllamaClient.Status status = new OllamaClient(ollama.baseUrl(), Duration.ofSeconds(1), Optional.empty()).probe();
        if (!status.running() || status.models().isEmpty()) return Optional.empty();
        // Every pulled model is in the catalog: the catalog's own, and the others as found by discovery.
        Catalog catalog = app.config().catalog();
        for (ModelSpec m : catalog.models().values()) {
            if (m.provider().equals(ollama.name()) && status.hasModel(m.wireName())) return Optional.of(m.id());
        }
        return Optional.empty();
    }

    /** Two scripted models on one local server: one that answers, one that always fails, and an alias over both. */
    static Catalog scriptedCatalog(ScriptedModelServer server) {
        server.localModels(List.of("scripted-coder"));
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("scripted-flaky").named("flaky"));
        server.rule(Rule.text(DEMO_ANSWER).whenPrompt("pick the right model").withChunkDelay(Duration.ofMillis(12)).named("tour"));
        server.rule(Rule.text("Hello! I am scripted-coder, answering after scripted-flaky failed.").withChunkDelay(Duration.ofMillis(12)).named("hello"));
        return catalogFor(server);
    }

    /** The scripted models served by {@code server}, without adding any rule to it. */
    static Catalog catalogFor(ScriptedModelServer server) {
        ProviderSpec ollamaWire = new ProviderSpec("scripted", WireProtocol.OLLAMA, server.baseUrl(), Optional.empty(), true);
        ProviderSpec openAiWire = new ProviderSpec("scripted-openai", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), true);
        return new Catalog(
                Map.of(ollamaWire.name(), ollamaWire, openAiWire.name(), openAiWire),
                Map.of("scripted-coder", localSpec("scripted-coder", ollamaWire.name(), "scripted-coder"),
                        "scripted-flaky", localSpec("scripted-flaky", openAiWire.name(), "scripted-flaky")),
                Map.of("demo-fallback", List.of("scripted-flaky", "scripted-coder")));
    }

    private static ModelSpec localSpec(String id, String provider, String wireName) {
        Capability unknown = new Capability(5, "unrated: not a catalog model");
        return new ModelSpec(id, provider, wireName, "local", new Pricing(0, 0, 0, "local model: no charge", LocalDate.of(2026, 11, 21)),
                32_768, 4096, 50, true, true, Map.of(TaskKind.PLANNING, unknown, TaskKind.CODING, unknown,
                TaskKind.REVIEW, unknown, TaskKind.SEARCH, unknown));
    }
}
