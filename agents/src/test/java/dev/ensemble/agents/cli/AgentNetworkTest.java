package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.GatewayEndpoint;
import dev.ensemble.agents.process.Endpoint;
import dev.ensemble.agents.process.NetworkRule;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a CLI agent's sandbox forwards: the gateway's port exactly; without the gateway, its model's endpoint only. */
class AgentNetworkTest {
    private static ProviderSpec provider(String name, String url) {
        return new ProviderSpec(name, WireProtocol.ANTHROPIC, url, Optional.empty(), false, 0);
    }

    @Test
    void throughTheGatewayExactlyItsLoopbackPortIsForwardedAndNothingElse() {
        AgentNetwork n = AgentNetwork.of(NetworkRule.GATEWAY_ONLY, provider(GatewayEndpoint.PROVIDER, "http://127.0.0.1:41234/v1"));
        assertThat(n.gateway()).contains(new Endpoint("127.0.0.1", 41234));
        assertThat(n.network()).isEqualTo(NetworkRule.GATEWAY_ONLY);
    }

    @Test
    void withTheGatewayOffARemoteProvidersHostIsTheOneHostTunnelled() {
        AgentNetwork n = AgentNetwork.of(NetworkRule.GATEWAY_ONLY, provider("anthropic", "https://api.anthropic.com"));
        assertThat(n.gateway()).isEmpty();
        assertThat(n.network()).isEqualTo(new NetworkRule.Allow(List.of(new Endpoint("api.anthropic.com", 443))));
        AgentNetwork allowed = AgentNetwork.of(new NetworkRule.Allow(List.of(new Endpoint("pypi.org", 443))),
                provider("anthropic", "https://api.anthropic.com"));
        assertThat(allowed.network()).isEqualTo(new NetworkRule.Allow(List.of(new Endpoint("pypi.org", 443),
                new Endpoint("api.anthropic.com", 443))));
    }

    @Test
    void aLocalModelServerIsForwardedAtItsAddressAndOpenIsOpen() {
        AgentNetwork ollama = AgentNetwork.of(NetworkRule.GATEWAY_ONLY, provider("ollama", "http://localhost:11434"));
        assertThat(ollama.gateway()).contains(new Endpoint("localhost", 11434));
        assertThat(ollama.network()).isEqualTo(NetworkRule.GATEWAY_ONLY);
        assertThat(AgentNetwork.of(NetworkRule.OPEN, provider("anthropic", "https://api.anthropic.com")).network())
                .isEqualTo(NetworkRule.OPEN);
    }

    @Test
    void aGatewayNameOnARemoteAddressForwardsNothing() {
        AgentNetwork n = AgentNetwork.of(NetworkRule.GATEWAY_ONLY, provider(GatewayEndpoint.PROVIDER, "https://evil.example.com/v1"));
        assertThat(n.gateway()).isEmpty();
        assertThat(n.network()).isEqualTo(NetworkRule.GATEWAY_ONLY);
    }
}
