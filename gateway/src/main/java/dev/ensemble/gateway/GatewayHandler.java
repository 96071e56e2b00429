package dev.ensemble.gateway;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.wire.BadRequest;
import dev.ensemble.gateway.wire.GatewayRequest;
import dev.ensemble.gateway.wire.WireCodec;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One model request, from key to answer: who asks (the gatekeeper), what they ask (the client's
 * codec), which models may answer (a model, an alias's chain, or the router's pick for
 * {@code auto}), then each model in turn until one answers. A model that fails before the first
 * byte reached the client is replaced by the next one without the client noticing; after it, the
 * failure is the wire's error event. Same wire in and out goes byte for byte ({@link Upstream});
 * otherwise the request is decoded, sent through the model stack and encoded back.
 */
final class GatewayHandler {
    private final GatewayOptions options;
    private final ModelResolver resolver;
    private final ForwardRetries upstream;
    private final Cooldowns cooldowns = new Cooldowns();

    GatewayHandler(GatewayOptions options, Upstream upstream) {
        this.options = options;
        this.resolver = new ModelResolver(options.models(), options.router());
        this.upstream = new ForwardRetries(upstream, options.models().retrySettings(), options.models().sleeper());
    }

    void handle(Context ctx, WireProtocol wire, String pathModel, boolean streamFromPath) {
        WireCodec codec = options.codecs().get(wire);
        if (codec == null) {
            ctx.status(501).contentType("application/json").result("{\"error\":{\"message\":\"this gateway has no codec for " + wire.key() + "\"}}");
            return;
        }
        ClientResponse out = new ClientResponse(ctx, codec);
        GatewayEvents events = options.events();
        String model = pathModel;
        boolean streamed = false;
        boolean failed = false;
        try {
            Optional<Caller> caller = caller(ctx, out, reason -> events.refused(wire, reason));
            if (caller.isEmpty()) return;
            GatewayRequest request;
            try {
                request = codec.decode(ctx.bodyAsBytes(), pathModel, streamFromPath);
            } catch (BadRequest e) {
                out.badRequest(e);
                return;
            }
            model = request.model();
            out.encoder(codec.streamEncoder(request));
            List<ModelSpec> chain;
            try {
                chain = resolver.resolve(request.model(), request.chat());
            } catch (ModelResolver.UnknownModel e) {
                out.error(404, e.getMessage());
                return;
            }
            streamed = request.stream();
            if (streamed) events.streamOpened(wire);
            try {
                answer(ctx, codec, request, chain, caller.get(), out);
            } catch (ClientResponse.ClientGone gone) {
                // The client left; the upstream exchange was closed with it.
            }
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        } finally {
            if (streamed) events.streamClosed(wire);
            // Nothing sent: the server's error page (500) follows a failure, otherwise the client left first.
            int status = out.status() != 0 ? out.status() : failed ? 500 : 499;
            events.requestServed(wire, model, status, out.elapsed(), out.timeToFirstByte());
        }
    }

    /** The caller behind the request's key, or empty once a refusal has been sent. */
    Optional<Caller> caller(Context ctx, ClientResponse out) {
        return caller(ctx, out, reason -> { });
    }

    private Optional<Caller> caller(Context ctx, ClientResponse out, Consumer<String> refusedFor) {
        Optional<String> key = ClientKeys.from(ctx);
        Optional<Admission> known = options.gatekeeper().authenticate(key);
        if (known.isPresent()) {
            switch (known.get()) {
                case Admission.Refused refused -> {
                    refusedFor.accept(refused.reason());
                    out.refuse(refused);
                    return Optional.empty();
                }
                case Admission.Allowed allowed -> {
                    return Optional.of(allowed.caller());
                }
            }
        }
        if (options.requireKey()) {
            refusedFor.accept("unauthorized");
            out.error(401, key.isEmpty()
                    ? "no API key: this gateway asks for one (ENSEMBLE_TOKEN or a virtual key) in Authorization: Bearer, x-api-key or x-goog-api-key"
                    : "the API key is not known to this gateway");
            return Optional.empty();
        }
        return Optional.of(new Caller(Caller.Kind.ANONYMOUS_LOOPBACK, "", "", CallContext.of("gateway")));
    }

    private void answer(Context ctx, WireCodec codec, GatewayRequest request, List<ModelSpec> chain, Caller caller, ClientResponse out) {
        CallContext base = caller.context().command().isEmpty()
                ? new CallContext("gateway", caller.context().runId(), caller.context().taskId(), caller.context().role(),
                        caller.context().attempt(), 0)
                : caller.context();
        // Every ledger row of this request names the key it came with (its public id) and the client's wire.
        CallContext context = base.withKeyId(caller.keyId()).withClientWire(request.clientWire().key());
        ChatRequest chat = request.chat().withContext(context);
        Consumer<CallRecord> settle = record -> options.gatekeeper().settle(caller, record);
        Optional<CallContext> owner = caller.kind() == Caller.Kind.ATTEMPT ? Optional.of(caller.context()) : Optional.empty();
        options.gatekeeper().answerCheck(caller).ifPresent(out::check);
        ModelException last = null;
        ModelSpec firstTried = null;
        Admission.Refused notAllowed = null;
        for (int step = 0; step < chain.size(); step++) {
            ModelSpec spec = chain.get(step);
            if (step < chain.size() - 1 && cooldowns.cooling(spec.id())) continue;
            Admission admission = options.gatekeeper().admit(caller, spec.id(), chat);
            if (admission instanceof Admission.Refused refused) {
                // A key's model list rules out this model only: the chain goes on to one it allows.
                if (refused.reason().equals(Admission.MODEL_NOT_ALLOWED)) {
                    if (notAllowed == null) notAllowed = refused;
                    continue;
                }
                options.events().refused(request.clientWire(), refused.reason());
                out.refuse(refused);
                return;
            }
            if (firstTried == null) firstTried = spec;
            // An agent attempt's rows keep its task's fallback step (its key's); others record the alias step.
            ChatRequest stepChat = owner.isPresent() ? chat : chat.withContext(context.withFallbackStep(step));
            // What admission held (a budget's reservation of the worst case) is given back once the step's rows are settled.
            try (StepHold hold = new StepHold(((Admission.Allowed) admission).release())) {
                if (options.models().catalog().providerOf(spec).wire() == request.clientWire()) {
                    upstream.forward(spec, request, ctx, out, stepChat.context(), owner.isPresent(), settle);
                } else {
                    translate(codec, request, spec, stepChat, out, settle, owner);
                }
                if (firstTried != spec) options.events().fallback(request.clientWire(), firstTried.id(), spec.id());
                return;
            } catch (AfterFirstByte e) {
                out.streamError(502, e.getMessage());
                return;
            } catch (ModelException e) {
                if (out.committed()) {
                    out.streamError(status(e), e.getMessage());
                    return;
                }
                e.retryAfter().ifPresent(wait -> {
                    if (e.kind() == Kind.RATE_LIMITED || e.kind() == Kind.OVERLOADED) cooldowns.coolDown(spec.id(), wait);
                });
                last = e;
                if (e.kind() == Kind.BUDGET || e.kind() == Kind.INTERRUPTED) break;
            }
        }
        if (last == null && notAllowed != null) {
            options.events().refused(request.clientWire(), notAllowed.reason());
            out.refuse(notAllowed);
            return;
        }
        if (last == null) {
            out.error(503, "every model of '" + request.model() + "' is cooling down after a rate limit; retry shortly");
            return;
        }
        if (last.kind() == Kind.BUDGET) {
            out.overBudget(last.getMessage());
            return;
        }
        out.error(status(last), last.getMessage(), last.retryAfter());
    }

    /** Runs an admission's release when its model step ends, however it ends. */
    private record StepHold(Runnable release) implements AutoCloseable {
        @Override
        public void close() {
            release.run();
        }
    }

    /** Decode, the model stack (retry, breaker, ledger, concurrency), encode; a stream event by event. */
    private void translate(WireCodec codec, GatewayRequest request, ModelSpec spec, ChatRequest chat, ClientResponse out,
                           Consumer<CallRecord> settle, Optional<CallContext> owner) {
        StreamListener listener = request.stream() ? new Relay(codec, request, spec, out) : null;
        ChatResponse response = options.tap()
                .map(tap -> tap.during(settle, owner, () -> options.models().model(spec).chat(chat, listener)))
                .orElseGet(() -> {
                    ChatResponse r = options.models().model(spec).chat(chat, listener);
                    settle.accept(synthesized(chat, r, spec));
                    return r;
                });
        if (!request.stream()) {
            out.plain(response.modelId(), codec.contentType(), codec.encode(response, request));
            return;
        }
        ((Relay) listener).begin();
        out.write(((Relay) listener).finish(response));
    }

    /** Without a tap on the stack: one row for the answer, as the stack's recording would have made it. */
    private static CallRecord synthesized(ChatRequest chat, ChatResponse response, ModelSpec spec) {
        return new CallRecord(java.time.Instant.now().minus(response.latency()), chat.context(),
                spec.provider(), response.modelId(), false, response.usage(), spec.costUsd(response.usage()),
                response.latency(), response.timeToFirstToken(), CallRecord.Outcome.OK, "", "");
    }

    /** The HTTP status a failure of the whole chain is sent with. */
    static int status(ModelException e) {
        return switch (e.kind()) {
            case RATE_LIMITED, BUDGET -> 429;
            case BAD_REQUEST, CONTEXT_TOO_LONG -> e.httpStatus() >= 400 && e.httpStatus() < 500 ? e.httpStatus() : 400;
            case NOT_FOUND -> 404;
            case TIMEOUT -> 504;
            case OVERLOADED, CIRCUIT_OPEN, NO_USABLE_MODEL, NO_KEY -> 503;
            case INTERRUPTED -> 499;
            case SERVER_ERROR, CONNECTION, UNREACHABLE, STREAM_CUT, MALFORMED_RESPONSE, AUTH -> 502;
        };
    }

    /** A failure of a stream whose first byte the client already has. */
    static final class AfterFirstByte extends RuntimeException {
        AfterFirstByte(String message) {
            super(Redactor.global().redact(message));
        }
    }

    /** Turns the stack's stream into the client's events; commits the response at the first content. */
    private static final class Relay implements StreamListener {
        private final ClientResponse out;
        private final dev.ensemble.gateway.wire.StreamEncoder encoder;
        private final ModelSpec spec;

        Relay(WireCodec codec, GatewayRequest request, ModelSpec spec, ClientResponse out) {
            this.out = out;
            this.encoder = codec.streamEncoder(request);
            this.spec = spec;
            out.encoder(encoder);
        }

        void begin() {
            if (out.committed()) return;
            out.startStream(spec.id());
            out.write(encoder.start());
        }

        String finish(ChatResponse response) {
            return encoder.finish(response);
        }

        @Override public void onText(String delta) {
            if (delta.isEmpty()) return;
            begin();
            out.write(encoder.text(delta));
        }

        @Override public void onToolCall(ToolCall call) {
            begin();
            out.write(encoder.toolCall(call));
        }

        @Override public void onAttemptFailed(FailedAttempt failure) {
            // Before the first byte a retry or the next model may still answer unseen; after it, the client has
            // part of an answer that a retry would contradict, so the failure ends the stream.
            if (out.committed()) throw new AfterFirstByte(failure.modelId() + ": " + failure.kind().label() + " — " + failure.reason());
        }
    }
}
