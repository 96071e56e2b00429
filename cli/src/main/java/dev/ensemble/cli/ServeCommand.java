package dev.ensemble.cli;

import dev.ensemble.cli.daemon.Daemon;
import dev.ensemble.gateway.BindPolicy;
import dev.ensemble.gateway.OperatorToken;
import dev.ensemble.gateway.keys.KeyStore;
import dev.ensemble.gateway.keys.KeyStoreException;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the daemon: detached runs, the API and the gateway.",
                "Detached runs, the JSON API under /api with its event stream, and the gateway, all on one port.",
                "One per user, for all of that user's repositories. Runs handed over with `go --detach` outlive the terminal; "
                        + "on start it resumes the runs it had in flight when it stopped. Every request needs its token "
                        + "(ENSEMBLE_TOKEN, or one it makes and keeps in its 0600 state file, which the CLI reads). "
                        + "Runs until SIGTERM or Ctrl-C, which checkpoint every run and stop."})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--port", paramLabel = "P", defaultValue = "7878", description = "Port (default: ${DEFAULT-VALUE}; 0: a free one, printed).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Another address prints the token once unless ENSEMBLE_TOKEN is set.")
    String bind;

    @Option(names = "--json", description = "Print one JSON line (url, port, pid) once listening.")
    boolean json;

    /** A daemon and what it holds open beside it. */
    record Started(Daemon daemon, KeyStore keys, boolean tokenGenerated, String token) implements AutoCloseable {
        @Override
        public void close() {
            daemon.close();
            keys.close();
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) throw new UserInputException("--port must be within 0..65535");
        AppContext app = main.app();
        Started started = start(app, bind, port, (terminal, repo) -> new AppContext(terminal, repo, null, app.environment()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            started.close();
            stopped.countDown();
        }, "daemon-shutdown"));
        Terminal term = app.terminal();
        Daemon daemon = started.daemon();
        if (json) {
            term.out().println(HttpTransport.JSON.writeValueAsString(HttpTransport.JSON.createObjectNode().put("url", daemon.url())
                    .put("port", daemon.port()).put("pid", ProcessHandle.current().pid())));
        } else {
            term.out().println("ensemble daemon listening on " + daemon.url() + " (API /api, events /api/events, gateway /v1; "
                    + "state " + app.userDirs().stateDir() + ")");
        }
        // A made token is shown once, and only where another machine must be told it; locally the CLI reads the state file.
        if (started.tokenGenerated() && !BindPolicy.loopback(bind)) term.out().println("token (shown once): " + started.token());
        term.out().flush();
        stopped.await();
        return ExitCodes.OK;
    }

    /** Starts the daemon for this user; exit 2 when one already runs or the address cannot be had. */
    static Started start(AppContext app, String bind, int port, Daemon.Contexts contexts) {
        Optional<OperatorToken> fromEnv = OperatorToken.fromEnv(GatewayCommand.envOf(app));
        String token = fromEnv.isPresent() ? app.env(OperatorToken.VARIABLE).trim() : generated();
        if (fromEnv.isEmpty()) new OperatorToken(token);  // registers it with the redactor
        KeyStore keyStore;
        try {
            keyStore = KeyStore.open(KeysCommand.file(app), app.clock());
        } catch (KeyStoreException e) {
            throw new UserInputException(e.getMessage());
        }
        try {
            var gateway = GatewayCommand.options(app, keyStore, Optional.of(new OperatorToken(token)),
                    "daemon-" + ProcessHandle.current().pid(), true);
            String version = Optional.ofNullable(Main.class.getPackage().getImplementationVersion()).orElse("dev");
            Optional<Daemon> daemon = Daemon.start(new Daemon.Options(bind, port, token, app.userDirs().stateDir(), app.workingDir(),
                    contexts, Optional.of(gateway), version));
            if (daemon.isEmpty()) {
                throw new UserInputException("an ensemble daemon already runs for this user (" + app.userDirs().stateDir()
                        + "): use it, or stop it first");
            }
            return new Started(daemon.get(), keyStore, fromEnv.isEmpty(), token);
        } catch (IOException | RuntimeException e) {
            keyStore.close();
            if (e instanceof UserInputException u) throw u;
            throw new UserInputException("cannot start the daemon on " + bind + ":" + port + " (" + e.getMessage() + "); pick another --port");
        }
    }

    private static String generated() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "ens-dt-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
