package dev.ensemble.core;

/** The HTTP dialect a provider speaks. Several providers share one (DeepSeek, vLLM and LM Studio speak OpenAI chat). */
public enum WireProtocol {
    OLLAMA("ollama"),
    OPENAI_CHAT("openai-chat"),
    OPENAI_RESPONSES("openai-responses"),
    ANTHROPIC("anthropic"),
    GEMINI("gemini");

    private final String key;

    WireProtocol(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static WireProtocol fromKey(String key) {
        for (WireProtocol wire : values()) {
            if (wire.key.equalsIgnoreCase(key)) return wire;
        }
        throw new IllegalArgumentException("unknown wire protocol '" + key
                + "' (expected ollama, openai-chat, openai-responses, anthropic or gemini)");
    }
}
