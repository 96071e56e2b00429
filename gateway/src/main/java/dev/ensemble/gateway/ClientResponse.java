package dev.ensemble.gateway;

import dev.ensemble.core.Redactor;
import dev.ensemble.gateway.wire.BadRequest;
import dev.ensemble.gateway.wire.StreamEncoder;
import dev.ensemble.gateway.wire.WireCodec;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * What goes back to one client, in its own wire. Nothing is sent until an answer is certain (a
 * whole plain answer) or its first byte exists (a stream), so that until {@link #committed()} a
 * failed model can still be replaced by the next one without the client noticing. Every message
 * that leaves here is redacted: no key or token is ever echoed.
 */
final class ClientResponse {
    static final String MODEL_HEADER = "x-ensemble-model";

    private final Context ctx;
    private final WireCodec codec;
    private StreamEncoder encoder;
    private OutputStream out;
    private boolean committed;
    private final long createdNanos = System.nanoTime();
    private long firstByteNanos;
    private int status;
    private AnswerGate gate;
    /** Whether what was sent of the stream ends with a whole event (its blank line), and with a line end. */
    private boolean eventEnded = true;
    private boolean lineEnded = true;

    ClientResponse(Context ctx, WireCodec codec) {
        this.ctx = ctx;
        this.codec = codec;
    }

    /** The status sent (200 for a stream, whatever ended it), or 0 when nothing was sent. */
    int status() {
        return status;
    }

    /** From this response's creation to its first byte sent, zero when nothing was sent. */
    Duration timeToFirstByte() {
        return firstByteNanos == 0 ? Duration.ZERO : Duration.ofNanos(firstByteNanos - createdNanos);
    }

    /** From this response's creation until now: the request's time in the gateway. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - createdNanos);
    }

    private void sent(int httpStatus) {
        if (firstByteNanos != 0) return;
        firstByteNanos = System.nanoTime();
        status = httpStatus;
    }

    /** The encoder of this request's stream, which writes the error event after the first byte. */
    void encoder(StreamEncoder newEncoder) {
        this.encoder = newEncoder;
    }

    /** From now on, the tool calls of the answer are held until {@code check} has seen them ({@link AnswerGate}). */
    void check(AnswerCheck check) {
        this.gate = new AnswerGate(codec.wire(), check);
    }

    boolean committed() {
        return committed;
    }

    /** An error in the client's wire, before anything else was sent. */
    void error(int status, String message, Optional<Duration> retryAfter) {
        if (committed) {
            streamError(status, message);
            return;
        }
        sent(status);
        retryAfter.ifPresent(wait -> ctx.header("Retry-After", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000))));
        ctx.status(status).contentType(codec.contentType()).result(codec.error(status, Redactor.global().redact(message)));
    }

    void error(int status, String message) {
        error(status, message, Optional.empty());
    }

    /** A 400 naming the field, in the wire's own shape (OpenAI's {@code param}). */
    void badRequest(BadRequest bad) {
        sent(400);
        ctx.status(400).contentType(codec.contentType()).result(codec.error(new BadRequest(bad.field(),
                Redactor.global().redact(bad.getMessage().substring(bad.field().isEmpty() ? 0 : bad.field().length() + 2)))));
    }

    void refuse(Admission.Refused refused) {
        if (refused.budget() && refused.httpStatus() == 429) overBudget(refused.message());
        else error(refused.httpStatus(), refused.message());
    }

    /**
     * A budget's refusal: 429 in the wire's spending-limit shape (OpenAI's {@code insufficient_quota}),
     * with {@code x-should-retry: false}, which the OpenAI and Anthropic SDKs obey instead of
     * retrying a 429 (the same request would only be refused again).
     */
    void overBudget(String message) {
        if (committed) {
            streamError(429, message);
            return;
        }
        sent(429);
        ctx.header("x-should-retry", "false");
        ctx.status(429).contentType(codec.contentType()).result(codec.quotaError(Redactor.global().redact(message)));
    }

    /** A whole answer. */
    void plain(String modelId, String contentType, byte[] body) {
        Optional<String> refused = gate == null ? Optional.empty() : gate.whole(body);
        if (refused.isPresent()) {
            error(403, refused.get());
            return;
        }
        sent(200);
        ctx.header(MODEL_HEADER, modelId);
        ctx.status(200).contentType(contentType).result(body);
    }

    /** Commits the response as an event stream answered by {@code modelId}; later calls do nothing. */
    void startStream(String modelId) {
        if (committed) return;
        ctx.res().setStatus(200);
        ctx.res().setHeader(MODEL_HEADER, modelId);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-cache");
        try {
            out = ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        committed = true;
        sent(200);
    }

    void write(String frames) {
        if (frames == null || frames.isEmpty()) return;
        write(frames.getBytes(StandardCharsets.UTF_8), 0, -1);
    }

    /** Writes and flushes at once: each event reaches the client as it is made. {@code length} -1: all of it. */
    void write(byte[] bytes, int offset, int length) {
        if (gate != null) {
            pass(gate.stream(bytes, offset, length < 0 ? bytes.length - offset : length));
            return;
        }
        int n = length < 0 ? bytes.length - offset : length;
        try {
            out.write(bytes, offset, n);
            out.flush();
            for (int i = Math.max(offset, offset + n - 4); i < offset + n; i++) {
                if (bytes[i] == '\r') continue;
                eventEnded = bytes[i] == '\n' && lineEnded;
                lineEnded = bytes[i] == '\n';
            }
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    /** The provider's stream ended: what the gate still holds of its last event is judged and sent. */
    void endStream() {
        if (gate != null) pass(gate.end());
    }

    /** Sends what the gate let through, past the gate, and the error event of a refusal. */
    private void pass(AnswerGate.Step step) {
        AnswerGate held = gate;
        gate = null;
        try {
            if (step.send().length > 0) write(step.send(), 0, -1);
            step.refused().ifPresent(why -> streamError(403, why));
        } finally {
            gate = held;
        }
    }

    /** A failure after the first byte: the wire's error event, then the end of the stream. */
    void streamError(int status, String message) {
        String redacted = Redactor.global().redact(message);
        // The gateway's own error is no model answer: it passes the gate, and what the gate held (an unfinished
        // tool call) is dropped, so the client learns why its stream ends instead of waiting on a call that never completes.
        AnswerGate held = gate;
        if (held != null) held.drop();
        gate = null;
        try {
            // A provider's stream cut in the middle of an event: end that event first, so the error is an event of its own.
            if (!eventEnded) write(lineEnded ? "\n" : "\n\n");
            write(encoder.error(status, redacted));
        } catch (ClientGone ignored) {
            // The client left first; there is no one to tell.
        } finally {
            gate = held;
        }
    }

    /** The client closed its connection: stop working for it. */
    static final class ClientGone extends UncheckedIOException {
        ClientGone(IOException cause) {
            super(cause);
        }
    }
}
