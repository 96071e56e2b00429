package dev.ensemble.gateway.wire;

import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatRequest;
import java.util.Objects;

/**
 * A client's request, decoded: the model it named (a catalog id, an alias or {@code auto}), the
 * request in ensemble's terms, whether it wants a stream, and the body as it came (for the
 * byte-for-byte path when the target speaks the same wire).
 */
public record GatewayRequest(WireProtocol clientWire, String model, ChatRequest chat, boolean stream,
                             boolean includeUsage, byte[] rawBody) {
    public GatewayRequest {
        Objects.requireNonNull(clientWire, "clientWire");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(rawBody, "rawBody");
    }
}
