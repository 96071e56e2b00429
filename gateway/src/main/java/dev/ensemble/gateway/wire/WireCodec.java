package dev.ensemble.gateway.wire;

import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatResponse;

/**
 * The server side of one model wire: what a client of that wire sends, turned into ensemble's
 * request, and ensemble's answer turned back into what that client expects, plain or streamed.
 * One implementation per wire; translating between two wires is decode with one, encode with the
 * other. Codecs hold no state and are safe to share.
 */
public interface WireCodec {

    WireProtocol wire();

    /**
     * Reads a client's request body. {@code pathModel} is the model named in the URL (Gemini's
     * {@code /v1beta/models/{model}:generateContent}), empty for wires that name it in the body.
     *
     * @throws BadRequest naming the offending field, for anything the wire does not allow
     */
    GatewayRequest decode(byte[] body, String pathModel, boolean streamFromPath);

    /** A whole (non-streamed) answer in this wire's shape; {@code model} is the name the client asked for. */
    byte[] encode(ChatResponse response, String model);

    /**
     * A whole answer to this request. Prefer this to {@link #encode(ChatResponse, String)}: a wire
     * may need the request to answer in kind (a Responses client's custom tools are called with
     * {@code custom_tool_call} items, not function calls).
     */
    default byte[] encode(ChatResponse response, GatewayRequest request) {
        return encode(response, request.model());
    }

    /** A new encoder for one streamed answer. */
    StreamEncoder streamEncoder(GatewayRequest request);

    /** An error body in this wire's shape (OpenAI {@code error} object, Anthropic {@code type: error}, Gemini {@code error.status}). */
    byte[] error(int httpStatus, String message);

    /** A 400 for a request this wire does not allow, naming the field where the wire has a place for it (OpenAI's {@code param}). */
    /** A 429 refusal because a spending limit is reached: the wire's own shape for it where it has one. */
    default byte[] quotaError(String message) {
        return error(429, message);
    }

    default byte[] error(BadRequest bad) {
        return error(400, bad.getMessage());
    }

    /** The media type of a plain answer and of an error. */
    default String contentType() {
        return "application/json";
    }
}
