package dev.ensemble.gateway;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.wire.BadRequest;
import dev.ensemble.gateway.wire.GatewayRequest;
import dev.ensemble.gateway.wire.WireCodec;
import dev.ensemble.llm.TokenEstimator;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway's HTTP server: Javalin (Jetty) on virtual threads, one route per wire's endpoint.
 * {@link #start} returns once it listens; it refuses to start on a non-loopback address unless
 * every client must present a key ({@link BindPolicy}).
 *
 * <pre>
 *   Gateway gateway = GatewayServer.start(GatewayOptions.loopback(models, secrets, timeouts, codecs));
 *   env.put("OPENAI_BASE_URL", gateway.baseUrl() + "/v1");
 * </pre>
 */
public final class GatewayServer implements Gateway {
    /** Large enough for a coding agent's whole conversation (Jetty's default, 1 MB, is not). */
    private static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;

    private final Javalin app;
    private final Upstream upstream;
    private final String host;

    private GatewayServer(Javalin app, Upstream upstream, String host) {
        this.app = app;
        this.upstream = upstream;
        this.host = host;
    }

    /**
     * Starts a gateway and returns once it listens.
     *
     * @throws IllegalArgumentException on a non-loopback address without a key requirement (nothing was started)
     */
    public static GatewayServer start(GatewayOptions options) {
        BindPolicy.refusal(options.host(), options.requireKey()).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        Upstream upstream = new Upstream(options.models(), options.secrets(), options.timeouts(), options.ledger());
        Javalin app = Javalin.create(config -> {
            serverSettings(config);
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            routes(config, options, upstream);
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            upstream.close();
            throw e;
        }
        return new GatewayServer(app, upstream, options.host());
    }

    /**
     * The gateway's routes ({@code /v1/...}, {@code /v1beta/...}, {@code /metrics}) on a server
     * someone else configures and starts: the daemon ({@code ensemble serve}) serves them beside its
     * API on one port. Every route asks the options' gatekeeper as the standalone gateway does; the
     * caller closes the returned handle (the byte-for-byte path's HTTP client) after stopping its server.
     */
    public static AutoCloseable mount(JavalinConfig config, GatewayOptions options) {
        Upstream upstream = new Upstream(options.models(), options.secrets(), options.timeouts(), options.ledger());
        routes(config, options, upstream);
        return upstream::close;
    }

    /** The server settings the gateway needs on any server it is mounted on: virtual threads, no compression, large bodies. */
    public static void serverSettings(JavalinConfig config) {
        config.concurrency.useVirtualThreads = true;
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.compressionStrategy = CompressionStrategy.NONE;
        config.http.maxRequestSize = MAX_REQUEST_BYTES;
    }

    private static void routes(JavalinConfig config, GatewayOptions options, Upstream upstream) {
        GatewayHandler handler = new GatewayHandler(options, upstream);
        config.routes.post("/v1/chat/completions", ctx -> handler.handle(ctx, WireProtocol.OPENAI_CHAT, "", false));
        config.routes.post("/v1/responses", ctx -> handler.handle(ctx, WireProtocol.OPENAI_RESPONSES, "", false));
        config.routes.post("/v1/messages", ctx -> handler.handle(ctx, WireProtocol.ANTHROPIC, "", false));
        config.routes.post("/v1/messages/count_tokens", ctx -> countTokens(ctx, options, handler));
        config.routes.post("/v1beta/models/{target}", ctx -> gemini(ctx, handler));
        config.routes.get("/v1/models", ctx -> models(ctx, options, handler));
        config.routes.get("/metrics", ctx -> metrics(ctx, options, handler));
        options.admin().ifPresent(a -> {
            config.routes.post(AttemptAdmin.PATH, ctx -> a.mint(ctx, options.gatekeeper()));
            config.routes.get(AttemptAdmin.PATH + "/{id}", ctx -> a.poll(ctx, options.gatekeeper()));
            config.routes.delete(AttemptAdmin.PATH + "/{id}", ctx -> a.revoke(ctx, options.gatekeeper()));
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            if (e instanceof ClientResponse.ClientGone) return;
            ctx.status(500).contentType("application/json").result("{\"error\":{\"type\":\"server_error\",\"message\":"
                    + HttpTransport.JSON.writeValueAsString(Redactor.global().redact("gateway error: " + e)) + "}}");
        });
    }

    @Override
    public String baseUrl() {
        String shown = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        if (shown.equals("0.0.0.0") || shown.equals("[::]")) shown = "127.0.0.1";
        return "http://" + shown + ":" + port();
    }

    @Override
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        upstream.close();
    }

    /** {@code /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent}. */
    private static void gemini(Context ctx, GatewayHandler handler) {
        String target = ctx.pathParam("target");
        int colon = target.lastIndexOf(':');
        String method = colon < 0 ? "" : target.substring(colon + 1);
        String model = colon < 0 ? target : target.substring(0, colon);
        switch (method) {
            case "generateContent" -> handler.handle(ctx, WireProtocol.GEMINI, model, false);
            case "streamGenerateContent" -> handler.handle(ctx, WireProtocol.GEMINI, model, true);
            default -> ctx.status(404).contentType("application/json").result(
                    "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"message\":\"unknown method: use :generateContent or :streamGenerateContent\"}}");
        }
    }

    /** Anthropic's {@code count_tokens}, answered here with ensemble's estimate (no provider is asked). */
    private static void countTokens(Context ctx, GatewayOptions options, GatewayHandler handler) {
        WireCodec codec = options.codecs().get(WireProtocol.ANTHROPIC);
        ClientResponse out = new ClientResponse(ctx, codec);
        if (handler.caller(ctx, out).isEmpty()) return;
        GatewayRequest request;
        try {
            request = codec.decode(ctx.bodyAsBytes(), "", false);
        } catch (BadRequest e) {
            out.badRequest(e);
            return;
        }
        ObjectNode answer = HttpTransport.JSON.createObjectNode().put("input_tokens", TokenEstimator.estimate(request.chat()));
        ctx.status(200).contentType("application/json").result(HttpTransport.JSON.writeValueAsBytes(answer));
    }

    /** The catalog's models, its aliases and {@code auto}, in OpenAI's list shape. */
    private static void models(Context ctx, GatewayOptions options, GatewayHandler handler) {
        WireCodec codec = options.codecs().get(WireProtocol.OPENAI_CHAT);
        if (codec != null && handler.caller(ctx, new ClientResponse(ctx, codec)).isEmpty()) return;
        Catalog catalog = options.models().catalog();
        ObjectNode list = HttpTransport.JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        catalog.models().values().forEach(m -> entry(data, m.id(), m.provider()));
        for (Map.Entry<String, ?> alias : catalog.aliases().entrySet()) entry(data, alias.getKey(), "ensemble-alias");
        entry(data, ModelResolver.AUTO, "ensemble-router");
        ctx.status(200).contentType("application/json").result(HttpTransport.JSON.writeValueAsBytes(list));
    }

    private static void entry(ArrayNode data, String id, String owner) {
        data.addObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", owner);
    }

    private static void metrics(Context ctx, GatewayOptions options, GatewayHandler handler) {
        Optional<java.util.function.Supplier<String>> scrape = options.metrics();
        if (scrape.isEmpty()) {
            ctx.status(404).contentType("text/plain").result("no metrics on this gateway\n");
            return;
        }
        WireCodec codec = options.codecs().get(WireProtocol.OPENAI_CHAT);
        if (codec != null && handler.caller(ctx, new ClientResponse(ctx, codec)).isEmpty()) return;
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(scrape.get().get());
    }
}
