package dev.ensemble.llm.provider;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.UnusableModel;
import dev.ensemble.llm.http.HttpTransport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The base of every HTTP provider: a provider writes {@link #call} and {@link #stream} in its own
 * wire format; this class measures latency and time to first token, stamps the model id, and
 * attaches the text a broken stream had delivered to the error, so no provider repeats that.
 */
public abstract class HttpChatModel implements ChatModel {
    protected final ModelSpec spec;
    protected final ProviderSpec provider;
    protected final HttpTransport http;
    private final String apiKey;

    protected HttpChatModel(ModelSpec spec, ProviderSpec provider, HttpTransport http, Optional<String> apiKey) {
        this.spec = spec;
        this.provider = provider;
        this.http = http;
        this.apiKey = apiKey.orElse(null);
    }

    @Override
    public final ModelSpec spec() {
        return spec;
    }

    @Override
    public final ChatResponse chat(ChatRequest request, StreamListener listener) {
        try {
            return timed(request, listener);
        } catch (ModelException e) {
            throw unusable(e);
        }
    }

    private ChatResponse timed(ChatRequest request, StreamListener listener) {
        long start = System.nanoTime();
        if (listener == null) {
            ChatResponse response = call(request);
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            return response.withTiming(spec.id(), latency, latency);
        }
        TimingListener timing = new TimingListener(listener, start);
        try {
            ChatResponse response = stream(request, timing);
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            return response.withTiming(spec.id(), latency, timing.firstTokenAfter().orElse(latency));
        } catch (ModelException e) {
            throw timing.text().isEmpty() ? e : e.withPartialText(timing.text());
        }
    }

    /**
     * A failure that says this model cannot be used at all becomes {@link ModelException.Kind#NO_USABLE_MODEL}:
     * nothing listening at the provider's address, or Ollama answering 404 for a model it has not
     * pulled. The chain then moves on quietly, and when nothing of it is usable the user is told what
     * to start, pull or set, instead of reading a list of failed attempts.
     */
    private ModelException unusable(ModelException e) {
        if (e.kind() == ModelException.Kind.UNREACHABLE) {
            return ModelException.noUsableModel(null, List.of(UnusableModel.notAnswering(spec, provider)), e);
        }
        if (e.kind() == ModelException.Kind.NOT_FOUND && provider.wire() == WireProtocol.OLLAMA) {
            return ModelException.noUsableModel(null, List.of(UnusableModel.notPulled(spec, provider)), e);
        }
        return e;
    }

    /** A plain request and its whole answer. */
    protected abstract ChatResponse call(ChatRequest request);

    /**
     * A streamed request: deliver text and tool calls to the listener as they arrive, return the
     * whole answer, and throw {@link ModelException.Kind#STREAM_CUT} when the stream ends without
     * the protocol's final event.
     */
    protected abstract ChatResponse stream(ChatRequest request, StreamListener listener);

    /** The API key, or null for providers that need none (Ollama, a local vLLM). */
    protected final String apiKey() {
        return apiKey;
    }

    /**
     * {@code Authorization: Bearer <key>} when there is a key: the OpenAI dialects, and Ollama behind
     * an authenticating proxy (plain Ollama needs none).
     */
    protected final Map<String, String> bearerAuth() {
        return apiKey == null ? Map.of() : Map.of("Authorization", "Bearer " + apiKey);
    }

    /** {@code baseUrl + path}, with exactly one slash between them. */
    protected final URI endpoint(String path) {
        String base = provider.baseUrl();
        if (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return URI.create(base + (path.startsWith("/") ? path : "/" + path));
    }

    /** "provider/model", for error messages. */
    protected final String who() {
        return provider.name() + "/" + spec.id();
    }

    /** The output limit to send: the request's, else the catalog's maximum. */
    protected final int maxOutputTokens(ChatRequest request) {
        return request.maxOutputTokens() > 0 ? Math.min(request.maxOutputTokens(), spec.maxOutputTokens()) : spec.maxOutputTokens();
    }

    protected final ModelException streamCut(String what) {
        return new ModelException(ModelException.Kind.STREAM_CUT, who() + ": stream ended before " + what);
    }

    protected final ModelException malformed(String what) {
        return new ModelException(ModelException.Kind.MALFORMED_RESPONSE, who() + ": " + what);
    }

    private static final class TimingListener implements StreamListener {
        private final StreamListener delegate;
        private final long start;
        private final StringBuilder text = new StringBuilder();
        private long firstAt = -1;

        TimingListener(StreamListener delegate, long start) {
            this.delegate = delegate;
            this.start = start;
        }

        @Override public void onText(String delta) {
            if (delta.isEmpty()) return;
            if (firstAt < 0) firstAt = System.nanoTime();
            text.append(delta);
            delegate.onText(delta);
        }

        @Override public void onToolCall(ToolCall call) {
            if (firstAt < 0) firstAt = System.nanoTime();
            delegate.onToolCall(call);
        }

        @Override public void onAttemptFailed(FailedAttempt failure) {
            delegate.onAttemptFailed(failure);
        }

        Optional<Duration> firstTokenAfter() {
            return firstAt < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(firstAt - start));
        }

        String text() {
            return text.toString();
        }
    }
}
