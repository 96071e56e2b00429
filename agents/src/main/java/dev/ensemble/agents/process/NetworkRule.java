package dev.ensemble.agents.process;

import java.util.List;

/**
 * {@code policy.network}: what a sandboxed child may reach. Inside a network namespace nothing is
 * reachable but what ensemble forwards in: the gateway (the one loopback endpoint the attempt is
 * given) and, under {@link Allow}, the listed hosts.
 */
public sealed interface NetworkRule {

    /** Only ensemble's gateway; the default for agents. A child given no gateway reaches nothing. */
    record GatewayOnly() implements NetworkRule {
        @Override
        public String toString() {
            return "gateway-only";
        }
    }

    /** The host's network, unconfined. */
    record Open() implements NetworkRule {
        @Override
        public String toString() {
            return "open";
        }
    }

    /** The gateway plus these hosts (each tunnelled as TCP, so TLS stays end to end). */
    record Allow(List<Endpoint> hosts) implements NetworkRule {
        public Allow {
            hosts = List.copyOf(hosts);
        }

        @Override
        public String toString() {
            return "allow " + hosts;
        }
    }

    NetworkRule GATEWAY_ONLY = new GatewayOnly();
    NetworkRule OPEN = new Open();
}
