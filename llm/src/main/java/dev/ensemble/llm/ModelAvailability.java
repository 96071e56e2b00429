package dev.ensemble.llm;

import java.util.Objects;

/**
 * Whether a model can be called right now, and if not what to do about it: "ready", "key
 * env:OPENAI_API_KEY not set", "not pulled in Ollama at http://127.0.0.1:11434 (ollama pull
 * qwen2.5-coder:7b)". Built by {@link ChatModels#availability}; Ollama's answers come from {@link OllamaTags}.
 */
public record ModelAvailability(boolean usable, String reason) {
    public static final ModelAvailability READY = new ModelAvailability(true, "ready");

    public ModelAvailability {
        Objects.requireNonNull(reason, "reason");
    }

    public static ModelAvailability unusable(String reason) {
        return new ModelAvailability(false, reason);
    }
}
