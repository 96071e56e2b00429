package dev.ensemble.cli;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.routing.Router;
import dev.ensemble.gateway.BindPolicy;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.gateway.GatewayOptions;
import dev.ensemble.gateway.GatewayServer;
import dev.ensemble.gateway.OperatorToken;
import dev.ensemble.gateway.wire.WireCodec;
import dev.ensemble.gateway.wire.WireCodecs;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.http.HttpTransport;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"Serve every model wire in front of every catalog model.",
                "OpenAI Chat and Responses, Anthropic Messages and Gemini clients (SDKs, coding CLIs) point their base URL "
                        + "here and name a catalog model, an alias (its fallback chain) or auto. Every call goes through "
                        + "ensemble's retries, breakers, concurrency limits, budgets and ledger. Runs until interrupted.",
                "On an address other than loopback, ENSEMBLE_TOKEN must be set; clients then send it as their API key."})
final class GatewayCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--port", paramLabel = "P", defaultValue = "4000", description = "Port (default: ${DEFAULT-VALUE}; 0: a free one, printed).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Any other than loopback needs ENSEMBLE_TOKEN.")
    String bind;

    @Option(names = "--json", description = "Print one JSON line with the URL once listening, instead of the instructions.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) throw new UserInputException("--port must be within 0..65535");
        AppContext app = main.app();
        Optional<OperatorToken> token = OperatorToken.fromEnv(envOf(app));
        BindPolicy.refusal(bind, token.isPresent()).ifPresent(reason -> {
            throw new UserInputException(reason);
        });
        ChatModels models = app.models();
        Catalog catalog = models.catalog();
        List<Gatekeeper> keepers = new ArrayList<>();
        token.ifPresent(keepers::add);
        GatewayOptions options = GatewayOptions.loopback(models, app.secrets(), app.config().timeouts(), codecs())
                .withAddress(bind, port)
                .withGatekeeper(Gatekeeper.first(keepers), token.isPresent())
                .withLedger(call -> app.ledger().onCall(call), Optional.of(app.attemptTap()))
                .withRouter(new Router(catalog.models().values(), app.routing(), app.evidence()));
        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(options);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        } catch (RuntimeException e) {
            throw new UserInputException("cannot listen on " + bind + ":" + port + " (" + rootMessage(e) + "); pick another --port");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        print(app.terminal(), gateway.baseUrl(), catalog, token.isPresent());
        stopped.await();
        return ExitCodes.OK;
    }

    private void print(Terminal term, String url, Catalog catalog, boolean keyRequired) {
        if (json) {
            ObjectNode line = HttpTransport.JSON.createObjectNode()
                    .put("url", url).put("port", Integer.parseInt(url.substring(url.lastIndexOf(':') + 1)))
                    .put("bind", bind).put("key_required", keyRequired)
                    .put("models", catalog.models().size()).put("aliases", catalog.aliases().size());
            // One line, so a script reads the address with a single read.
            term.out().println(HttpTransport.JSON.writeValueAsString(line));
            term.out().flush();
            return;
        }
        String key = keyRequired ? "$ENSEMBLE_TOKEN" : "ensemble";
        term.out().println("ensemble gateway listening on " + url + " (" + catalog.models().size() + " models, "
                + catalog.aliases().size() + " aliases, and auto; "
                + (keyRequired ? "clients must send ENSEMBLE_TOKEN as their API key" : "loopback only: any API key is accepted") + ")");
        term.out().println("  OpenAI clients:    OPENAI_BASE_URL=" + url + "/v1 OPENAI_API_KEY=" + key);
        term.out().println("  Anthropic clients: ANTHROPIC_BASE_URL=" + url + " ANTHROPIC_API_KEY=" + key);
        term.out().println("  Gemini clients:    GOOGLE_GEMINI_BASE_URL=" + url + " GEMINI_API_KEY=" + key);
        term.out().println("  e.g. ANTHROPIC_BASE_URL=" + url + " ANTHROPIC_API_KEY=" + key + " claude --model <catalog model or alias>");
        term.out().println("Ctrl-C to stop.");
        term.out().flush();
    }

    private static Map<WireProtocol, WireCodec> codecs() {
        Map<WireProtocol, WireCodec> codecs = new EnumMap<>(WireProtocol.class);
        for (WireProtocol wire : WireProtocol.values()) WireCodecs.find(wire).ifPresent(c -> codecs.put(wire, c));
        return codecs;
    }

    private static Map<String, String> envOf(AppContext app) {
        String value = app.env(OperatorToken.VARIABLE);
        return value == null ? Map.of() : Map.of(OperatorToken.VARIABLE, value);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
