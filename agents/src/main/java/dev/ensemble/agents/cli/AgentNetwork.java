package dev.ensemble.agents.cli;

import dev.ensemble.agents.GatewayEndpoint;
import dev.ensemble.agents.process.Endpoint;
import dev.ensemble.agents.process.NetworkRule;
import dev.ensemble.core.ProviderSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a CLI agent's sandbox lets it reach under {@code policy.network}, given the provider its
 * task names.
 * <ul>
 *   <li>Through ensemble's gateway (the task's provider is {@value GatewayEndpoint#PROVIDER}, on
 *       loopback): exactly the gateway's port is forwarded in, and under gateway-only nothing else.</li>
 *   <li>With the gateway off for agents ({@code gateway: {agents: false}}), or for a CLI that speaks
 *       no wire the gateway serves, the CLI calls its provider itself, so "gateway-only" means
 *       "its model's endpoint only": a loopback model server (Ollama) is forwarded at its address,
 *       a remote provider's host is tunnelled by name on its port (TLS stays end to end). The CLI
 *       reaches its model and nothing else; it is not metered per attempt.</li>
 *   <li>{@code allow}: the same, plus the listed hosts; {@code open}: the host's network.</li>
 * </ul>
 *
 * @param gateway the loopback endpoint forwarded at its own address
 * @param network the rule the launcher applies
 */
record AgentNetwork(Optional<Endpoint> gateway, NetworkRule network) {

    static AgentNetwork of(NetworkRule rule, ProviderSpec provider) {
        Optional<Endpoint> endpoint = Endpoint.ofUrl(provider.baseUrl());
        if (endpoint.isEmpty() || rule instanceof NetworkRule.Open) return new AgentNetwork(endpoint.filter(Endpoint::loopback), rule);
        if (endpoint.get().loopback()) return new AgentNetwork(endpoint, rule);
        if (provider.name().equals(GatewayEndpoint.PROVIDER)) {
            // A gateway that is not on loopback is not ours: nothing is forwarded for it.
            return new AgentNetwork(Optional.empty(), rule);
        }
        List<Endpoint> hosts = new ArrayList<>();
        if (rule instanceof NetworkRule.Allow allow) hosts.addAll(allow.hosts());
        hosts.add(endpoint.get());
        return new AgentNetwork(Optional.empty(), new NetworkRule.Allow(hosts));
    }
}
