package dev.ensemble.agents;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * ensemble's gateway as a CLI agent's provider: the agent is pointed at the gateway's base URL
 * with its attempt's key, over a wire it speaks, and names the catalog model by its catalog id;
 * the gateway translates to whatever wire the model's own provider speaks. So any CLI drives any
 * catalog model, and every request it makes is metered, budgeted and watched per attempt.
 *
 * @param baseUrl the gateway's root ({@code http://127.0.0.1:PORT}), without a version segment
 * @param served  the client wires it serves (those it has a codec for)
 */
public record GatewayEndpoint(String baseUrl, Set<WireProtocol> served) {
    /** The provider name a routed task carries (shown in errors; never a real provider's). */
    public static final String PROVIDER = "ensemble-gateway";
    /** The client wires, in the order a CLI that speaks several is pointed at them. */
    public static final List<WireProtocol> PREFERENCE = List.of(WireProtocol.OPENAI_CHAT, WireProtocol.ANTHROPIC,
            WireProtocol.OPENAI_RESPONSES, WireProtocol.GEMINI);

    public GatewayEndpoint {
        Objects.requireNonNull(baseUrl, "baseUrl");
        served = Set.copyOf(served);
        baseUrl = baseUrl.replaceAll("/+$", "").replaceFirst("/v1$", "");
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw new IllegalArgumentException("gateway URL must start with http:// or https://: " + baseUrl);
        }
    }

    /** The wire an agent that speaks {@code drives} talks to a gateway serving {@code served} in; empty when there is none. */
    public static Optional<WireProtocol> wireFor(Set<WireProtocol> drives, Set<WireProtocol> served) {
        return PREFERENCE.stream().filter(w -> drives.contains(w) && served.contains(w)).findFirst();
    }

    /** The wire an agent that speaks {@code drives} talks to this gateway in. */
    public Optional<WireProtocol> wireFor(Set<WireProtocol> drives) {
        return wireFor(drives, served);
    }

    /**
     * The same task pointed at the gateway: a provider of {@code wire} at the gateway's URL (with
     * {@code /v1}, as ensemble's OpenAI-style providers are written; the adapters strip it where
     * their CLI adds it), the attempt's secret as the key, and the catalog id as the model's wire
     * name. Prices, context and limits stay the catalog model's.
     */
    public AgentTask route(AgentTask task, WireProtocol wire, String attemptSecret) {
        ModelSpec m = task.model();
        ModelSpec named = new ModelSpec(m.id(), PROVIDER, m.id(), m.family(), m.pricing(), m.contextWindow(), m.maxOutputTokens(),
                m.tokensPerSecond(), m.local(), m.supportsTools(), m.capabilities());
        ProviderSpec gateway = new ProviderSpec(PROVIDER, wire, baseUrl + "/v1", Optional.empty(), task.provider().local(), 0);
        return new AgentTask(task.runId(), task.taskId(), task.prompt(), named, gateway, Optional.of(attemptSecret), task.ownedPaths(),
                task.timeout(), task.resumeSessionId());
    }
}
