package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.WireProtocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model that could not be called at all, and why: its key is missing, its server refuses the
 * connection, Ollama has not pulled it, or it is a cloud model in local-only mode. Nothing was
 * sent to it. A chain skips such a model quietly; when every model of a chain is one, the
 * failure is {@link ModelException.Kind#NO_USABLE_MODEL} carrying the list, which
 * {@link #describe(List)} collapses into one short paragraph.
 *
 * @param modelId  the catalog id
 * @param wireName what the provider calls it (for {@code ollama pull …})
 * @param provider the provider's name
 * @param ollama   whether the provider speaks Ollama's own protocol (the hints name Ollama's commands)
 * @param local    whether the model is local
 * @param reason   why it cannot be used
 * @param detail   the key's name for {@link Reason#NO_KEY}, the server's address otherwise (may be empty)
 */
public record UnusableModel(String modelId, String wireName, String provider, boolean ollama, boolean local,
                            Reason reason, String detail) {

    public enum Reason {
        NO_KEY("no key"),
        NOT_ANSWERING("server not answering"),
        NOT_PULLED("not pulled"),
        LOCAL_ONLY("cloud model, local-only mode");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() { return label; }
    }

    public UnusableModel {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(reason, "reason");
        wireName = wireName == null ? modelId : wireName;
        provider = provider == null ? "" : provider;
        detail = detail == null ? "" : detail;
    }

    public static UnusableModel noKey(ModelSpec spec, ProviderSpec provider, SecretRef key) {
        return of(spec, provider, Reason.NO_KEY, keyName(key));
    }

    public static UnusableModel notAnswering(ModelSpec spec, ProviderSpec provider) {
        return of(spec, provider, Reason.NOT_ANSWERING, provider.baseUrl());
    }

    public static UnusableModel notPulled(ModelSpec spec, ProviderSpec provider) {
        return of(spec, provider, Reason.NOT_PULLED, provider.baseUrl());
    }

    public static UnusableModel localOnly(ModelSpec spec, ProviderSpec provider) {
        return of(spec, provider, Reason.LOCAL_ONLY, "");
    }

    private static UnusableModel of(ModelSpec spec, ProviderSpec provider, Reason reason, String detail) {
        return new UnusableModel(spec.id(), spec.wireName(), provider.name(), provider.wire() == WireProtocol.OLLAMA,
                spec.local(), reason, detail);
    }

    /** The same reason for another model of the same provider (skipped once its server was found silent). */
    public UnusableModel forModel(ModelSpec spec) {
        return new UnusableModel(spec.id(), spec.wireName(), provider, ollama, spec.local(), reason, detail);
    }

    /**
     * The name a user sets the key under: the variable of {@code env:NAME}, the account of a
     * keychain entry, the {@code pass} name, or the file's path.
     */
    public static String keyName(SecretRef key) {
        return switch (key) {
            case SecretRef.Env e -> e.name();
            case SecretRef.Keychain k -> k.account();
            case SecretRef.Pass p -> p.name();
            case SecretRef.File f -> f.path();
        };
    }

    /** "Ollama" for Ollama's own protocol, else the provider's name. */
    public String serverName() {
        return ollama ? "Ollama" : provider;
    }

    /** This model's reason in a few words: "no key (ANTHROPIC_API_KEY)", "Ollama not answering at http://…". */
    public String why() {
        return switch (reason) {
            case NO_KEY -> "no key (" + detail + ")";
            case NOT_ANSWERING -> serverName() + " not answering at " + detail;
            case NOT_PULLED -> "not pulled in " + serverName() + (detail.isEmpty() ? "" : " at " + detail);
            case LOCAL_ONLY -> reason.label();
        };
    }

    @Override
    public String toString() {
        return modelId + ": " + why();
    }

    /** Lower-case reason key for JSON: {@code no_key}, {@code not_answering}, {@code not_pulled}, {@code local_only}. */
    public String reasonKey() {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /**
     * One short paragraph for many models, grouped by why: "4 cloud models have no key
     * (ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY, DEEPSEEK_API_KEY); Ollama is not answering
     * at http://127.0.0.1:11434". Each model appears once, under its first reason.
     */
    public static String describe(List<UnusableModel> models) {
        Map<String, UnusableModel> unique = new LinkedHashMap<>();
        for (UnusableModel m : models) unique.putIfAbsent(m.modelId(), m);
        List<String> parts = new ArrayList<>();
        List<UnusableModel> noKey = of(unique, Reason.NO_KEY);
        if (!noKey.isEmpty()) {
            Set<String> keys = new LinkedHashSet<>();
            noKey.forEach(m -> keys.add(m.detail()));
            boolean cloud = noKey.stream().noneMatch(UnusableModel::local);
            parts.add(noKey.size() == 1 ? noKey.getFirst().modelId() + " has no key (" + String.join(", ", keys) + ")"
                    : noKey.size() + (cloud ? " cloud" : "") + " models have no key (" + String.join(", ", keys) + ")");
        }
        Map<String, List<UnusableModel>> silent = byServer(of(unique, Reason.NOT_ANSWERING));
        silent.forEach((server, ms) -> parts.add(ms.getFirst().serverName() + " is not answering at " + ms.getFirst().detail()));
        Map<String, List<UnusableModel>> unpulled = byServer(of(unique, Reason.NOT_PULLED));
        unpulled.forEach((server, ms) -> parts.add(ms.size() == 1
                ? ms.getFirst().modelId() + " is not pulled in " + ms.getFirst().serverName()
                : ms.size() + " models are not pulled in " + ms.getFirst().serverName() + " (" + firstNames(ms) + ")"));
        List<UnusableModel> cloudOnly = of(unique, Reason.LOCAL_ONLY);
        if (!cloudOnly.isEmpty()) {
            parts.add(cloudOnly.size() == 1 ? cloudOnly.getFirst().modelId() + " is a cloud model (local-only mode)"
                    : cloudOnly.size() + " cloud models are left out in local-only mode");
        }
        return parts.isEmpty() ? "no model to try" : String.join("; ", parts);
    }

    /** Up to three ids, then how many more: the paragraph stays short for a catalog of many models. */
    private static String firstNames(List<UnusableModel> models) {
        List<String> ids = models.stream().map(UnusableModel::modelId).toList();
        return ids.size() <= 3 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 3)) + " and " + (ids.size() - 3) + " more";
    }

    private static List<UnusableModel> of(Map<String, UnusableModel> unique, Reason reason) {
        return unique.values().stream().filter(m -> m.reason() == reason).toList();
    }

    private static Map<String, List<UnusableModel>> byServer(List<UnusableModel> models) {
        Map<String, List<UnusableModel>> out = new LinkedHashMap<>();
        for (UnusableModel m : models) out.computeIfAbsent(m.serverName() + " " + m.detail(), k -> new ArrayList<>()).add(m);
        return out;
    }
}
