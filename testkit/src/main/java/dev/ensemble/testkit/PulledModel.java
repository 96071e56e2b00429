package dev.ensemble.testkit;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A model the scripted server lists as pulled when it plays Ollama: what {@code /api/tags} shows in
 * its {@code details} and what {@code POST /api/show} answers ({@code model_info} with
 * {@code <family>.context_length}, {@code capabilities}).
 *
 * @param family        Ollama's {@code details.family} and {@code general.architecture}
 * @param parameterSize e.g. "7.2B"
 * @param quantization  e.g. "Q4_K_M"
 * @param capabilities  e.g. ["completion", "tools"]
 */
public record PulledModel(String name, String family, String parameterSize, String quantization, int contextLength,
                          List<String> capabilities) {
    public PulledModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(parameterSize, "parameterSize");
        Objects.requireNonNull(quantization, "quantization");
        capabilities = List.copyOf(capabilities);
    }

    /** A plain completion model: the family from the name's leading letters, 7B, Q4_K_M, 8192 tokens of context, no tools. */
    public static PulledModel of(String name) {
        String stem = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
        String letters = stem.toLowerCase(Locale.ROOT).replaceAll("[^a-z].*$", "");
        return new PulledModel(name, letters.isEmpty() ? "llama" : letters, "7B", "Q4_K_M", 8192, List.of("completion"));
    }

    public PulledModel withFamily(String newFamily) {
        return new PulledModel(name, newFamily, parameterSize, quantization, contextLength, capabilities);
    }

    public PulledModel withParameterSize(String size) {
        return new PulledModel(name, family, size, quantization, contextLength, capabilities);
    }

    public PulledModel withContextLength(int tokens) {
        return new PulledModel(name, family, parameterSize, quantization, tokens, capabilities);
    }

    /** Ollama's content digest: the same for the same model, different when anything it is served with differs. */
    public String digest() {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lists "tools" among its capabilities, as Ollama does for a model whose template renders tools. */
    public PulledModel withTools() {
        return new PulledModel(name, family, parameterSize, quantization, contextLength, List.of("completion", "tools"));
    }
}
