package dev.ensemble.cli;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.routing.Router;
import dev.ensemble.gateway.AttemptAdmin;
import dev.ensemble.gateway.BindPolicy;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.gateway.GatewayOptions;
import dev.ensemble.gateway.GatewayServer;
import dev.ensemble.gateway.OperatorToken;
import dev.ensemble.gateway.attempt.AttemptKeys;
import dev.ensemble.gateway.attempt.RemoteAttempts;
import dev.ensemble.gateway.attempt.RunawayLimits;
import dev.ensemble.gateway.keys.BudgetGatekeeper;
import dev.ensemble.gateway.keys.KeyStore;
import dev.ensemble.gateway.keys.KeyStoreException;
import dev.ensemble.gateway.keys.VirtualKeys;
import dev.ensemble.gateway.observe.GatewayMetrics;
import dev.ensemble.gateway.wire.WireCodecs;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.http.HttpTransport;
import java.util.ArrayList;
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
        description = {"Serve every model on one endpoint, in every wire.",
                "OpenAI Chat and Responses, Anthropic Messages and Gemini clients (SDKs, coding CLIs) point their base URL "
                        + "here and name a catalog model, an alias (its fallback chain) or auto. Every call goes through "
                        + "ensemble's retries, breakers, concurrency limits, budgets and ledger. Runs until interrupted.",
                "With ENSEMBLE_TOKEN set or any virtual key made (ensemble keys create), every client must send one as its API key; "
                        + "an address other than loopback needs one of the two."})
final class GatewayCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--port", paramLabel = "P", defaultValue = "4000", description = "Port (default: ${DEFAULT-VALUE}; 0: a free one, printed).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Any other than loopback needs ENSEMBLE_TOKEN or a virtual key.")
    String bind;

    @Option(names = "--json", description = "Print one JSON line with the URL once listening, instead of the instructions.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) throw new UserInputException("--port must be within 0..65535");
        AppContext app = main.app();
        Optional<OperatorToken> token = OperatorToken.fromEnv(envOf(app));
        // Virtual keys (ensemble keys create) and the configured budgets: every request is asked
        // about both before anything is sent upstream. The key file stays open for the gateway's life.
        KeyStore keyStore;
        try {
            keyStore = KeyStore.open(KeysCommand.file(app), app.clock());
        } catch (KeyStoreException e) {
            app.terminal().err().println(app.terminal().red("ensemble: ") + e.getMessage());
            return ExitCodes.FAILED;
        }
        String gatewayRun = "gateway-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        // With ENSEMBLE_TOKEN set, or once any virtual key exists, every client must present a key:
        // a key's budget or model list would mean nothing if a keyless client were let in beside it.
        boolean keyRequired;
        try {
            keyRequired = token.isPresent() || VirtualKeys.anyActive(keyStore, app.clock().instant());
        } catch (RuntimeException e) {
            keyStore.close();
            app.terminal().err().println(app.terminal().red("ensemble: ") + "cannot read the key file " + keyStore.file() + ": " + e.getMessage());
            return ExitCodes.FAILED;
        }
        Optional<String> refusal = BindPolicy.refusal(bind, keyRequired);
        if (refusal.isPresent()) {
            keyStore.close();
            throw new UserInputException(refusal.get());
        }
        // A commit per call on the request's thread would serialize every client on the store's one writer.
        app.writeLedgerBehind();
        ChatModels models = app.models();
        Catalog catalog = models.catalog();
        GatewayOptions options = options(app, keyStore, token, gatewayRun, keyRequired).withAddress(bind, port);
        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(options);
        } catch (IllegalArgumentException e) {
            keyStore.close();
            throw new UserInputException(e.getMessage());
        } catch (RuntimeException e) {
            keyStore.close();
            throw new UserInputException("cannot listen on " + bind + ":" + port + " (" + rootMessage(e) + "); pick another --port");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            app.closeLedger();  // the calls answered before the stop are all in the ledger
            keyStore.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        print(app.terminal(), gateway.baseUrl(), catalog, keyRequired, token.isPresent());
        stopped.await();
        return ExitCodes.OK;
    }

    private void print(Terminal term, String url, Catalog catalog, boolean keyRequired, boolean tokenSet) {
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
        String key = tokenSet ? "$ENSEMBLE_TOKEN" : keyRequired ? "<virtual key>" : "ensemble";
        term.out().println("ensemble gateway listening on " + url + " (" + catalog.models().size() + " models, "
                + catalog.aliases().size() + " aliases, and auto; "
                + (keyRequired ? "clients must send " + (tokenSet ? "ENSEMBLE_TOKEN or " : "") + "a virtual key as their API key" : "loopback only: any API key is accepted") + ")");
        term.out().println("  OpenAI clients:    OPENAI_BASE_URL=" + url + "/v1 OPENAI_API_KEY=" + key);
        term.out().println("  Anthropic clients: ANTHROPIC_BASE_URL=" + url + " ANTHROPIC_API_KEY=" + key);
        term.out().println("  Gemini clients:    GOOGLE_GEMINI_BASE_URL=" + url + " GEMINI_API_KEY=" + key);
        term.out().println("  e.g. ANTHROPIC_BASE_URL=" + url + " ANTHROPIC_API_KEY=" + key + " claude --model <catalog model or alias>");
        term.out().println("Ctrl-C to stop.");
        term.out().flush();
    }


    /**
     * The gateway's options over the context's model stack: the operator token (when given), the
     * virtual keys of {@code keyStore} and the budgets, asked in that order; the address is 127.0.0.1:0
     * until set. What {@code ensemble gateway} serves, and what {@code ensemble serve} mounts.
     */
    static GatewayOptions options(AppContext app, KeyStore keyStore, Optional<OperatorToken> token, String gatewayRun, boolean keyRequired) {
        ChatModels models = app.models();
        Catalog catalog = models.catalog();
        List<Gatekeeper> keepers = new ArrayList<>();
        token.ifPresent(keepers::add);
        VirtualKeys virtualKeys = new VirtualKeys(keyStore, catalog, app.clock(), gatewayRun,
                line -> app.terminal().err().println(app.terminal().yellow(line)));
        keepers.add(virtualKeys);
        // Runs elsewhere (gateway.url) mint their agents' attempt keys here with the operator token.
        Optional<AttemptAdmin> admin = Optional.empty();
        if (token.isPresent()) {
            AttemptKeys attempts = new AttemptKeys(catalog, app.budget(), app.spendSource(), RunawayLimits.DEFAULT);
            keepers.add(attempts);
            admin = Optional.of(new AttemptAdmin(attempts, () -> RemoteAttempts.storeId(app.store().description())));
        }
        keepers.add(new BudgetGatekeeper(app.budgetGuard(), catalog));
        GatewayMetrics metrics = app.metrics().addBudgetSource(virtualKeys::budgetsLeft);
        return GatewayOptions.loopback(models, app.secrets(), app.config().timeouts(), WireCodecs.all())
                .withGatekeeper(Gatekeeper.first(keepers), keyRequired)
                // The byte-for-byte path's rows go where the stack's go: the ledger, the metrics and the spans.
                .withLedger(app.attemptTap(), Optional.of(app.attemptTap()))
                .withRouter(new Router(catalog.models().values(), app.routing(), app.evidence()))
                .withMetrics(metrics.scraper(), metrics)
                .withAttemptAdmin(admin);
    }

    static Map<String, String> envOf(AppContext app) {
        String value = app.env(OperatorToken.VARIABLE);
        return value == null ? Map.of() : Map.of(OperatorToken.VARIABLE, value);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
