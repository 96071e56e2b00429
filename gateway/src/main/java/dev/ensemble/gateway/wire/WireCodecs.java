package dev.ensemble.gateway.wire;

import dev.ensemble.core.WireProtocol;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The codec of each client wire the gateway serves. Codecs are stateless: one of each is shared. */
public final class WireCodecs {
    private static final Map<WireProtocol, WireCodec> CODECS = new EnumMap<>(WireProtocol.class);

    static {
        for (WireCodec codec : new WireCodec[] {new OpenAiChatCodec(), new ResponsesCodec(), new AnthropicCodec(), new GeminiCodec()}) {
            CODECS.put(codec.wire(), codec);
        }
    }

    private WireCodecs() {}

    /** The codec for this wire, or empty for a wire the gateway does not serve to clients (Ollama's). */
    public static Optional<WireCodec> find(WireProtocol wire) {
        return Optional.ofNullable(CODECS.get(wire));
    }

    /** Every wire the gateway serves to clients, with its codec (a copy: the caller may narrow it). */
    public static Map<WireProtocol, WireCodec> all() {
        return new EnumMap<>(CODECS);
    }

    public static WireCodec of(WireProtocol wire) {
        return find(wire).orElseThrow(() -> new IllegalArgumentException("the gateway serves no " + wire.key() + " clients"));
    }
}
