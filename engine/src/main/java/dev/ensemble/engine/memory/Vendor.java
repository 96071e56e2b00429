package dev.ensemble.engine.memory;

import dev.ensemble.core.ModelSpec;
import java.util.Locale;
import java.util.Map;

/**
 * The company behind a model, from its family: a note's vendor says whose model wrote it, so a
 * reader can tell when knowledge crossed vendors. The provider is no guide (OpenRouter or Ollama
 * serve many vendors' models); the family is.
 */
public final class Vendor {
    private static final Map<String, String> BY_FAMILY = Map.ofEntries(
            Map.entry("claude", "anthropic"),
            Map.entry("gpt", "openai"),
            Map.entry("gpt-oss", "openai"),
            Map.entry("o", "openai"),
            Map.entry("codex", "openai"),
            Map.entry("gemini", "google"),
            Map.entry("gemma", "google"),
            Map.entry("deepseek", "deepseek"),
            Map.entry("qwen", "alibaba"),
            Map.entry("llama", "meta"),
            Map.entry("mistral", "mistral"),
            Map.entry("codestral", "mistral"),
            Map.entry("devstral", "mistral"),
            Map.entry("grok", "xai"),
            Map.entry("kimi", "moonshot"),
            Map.entry("glm", "zhipu"));

    private Vendor() {}

    /** The vendor of a catalog model: known families map to their company, others give the family itself. */
    public static String of(ModelSpec model) {
        return ofFamily(model.family());
    }

    public static String ofFamily(String family) {
        String key = family == null ? "" : family.trim().toLowerCase(Locale.ROOT);
        return BY_FAMILY.getOrDefault(key, key);
    }
}
