package dev.ensemble.agents.process;

import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sandbox keys of the {@code policy:} section.
 *
 * @param mode         {@code sandbox: required|preferred|off} (default preferred)
 * @param network      {@code network: gateway-only|open|{allow: [host[:port], ...]}} for agents and
 *                     the builtin agent's commands (default gateway-only)
 * @param judgeNetwork {@code judge_network:}, the same values, for the judge's test and lint
 *                     commands. Default gateway-only, and the judge is given no gateway, so its
 *                     commands reach no network at all: an agent-written test is agent-controlled
 *                     code, and the package caches it needs ({@code ~/.m2}, {@code ~/.npm},
 *                     {@code ~/.cache/pip}, {@code node_modules} in the worktree ...) are on disk and
 *                     readable. A project whose tests download allows its registry by name.
 */
public record SandboxPolicy(SandboxMode mode, NetworkRule network, NetworkRule judgeNetwork) {
    public static final Set<String> KEYS = Set.of("sandbox", "network", "judge_network");
    public static final SandboxPolicy DEFAULT = new SandboxPolicy(SandboxMode.PREFERRED, NetworkRule.GATEWAY_ONLY,
            NetworkRule.GATEWAY_ONLY);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    public SandboxPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(judgeNetwork, "judgeNetwork");
    }

    public SandboxPolicy withMode(SandboxMode m) {
        return new SandboxPolicy(m, network, judgeNetwork);
    }

    /** From a parsed {@code policy:} section (other keys are {@code Policy}'s); errors start with the key. */
    public static SandboxPolicy fromMap(Map<String, ?> section) {
        if (section == null) return DEFAULT;
        SandboxMode mode = DEFAULT.mode();
        if (section.containsKey("sandbox")) {
            Object value = section.get("sandbox");
            mode = value instanceof String s ? SandboxMode.parse(s.strip().toLowerCase(Locale.ROOT)).orElse(null) : null;
            if (mode == null) {
                throw new IllegalArgumentException("policy.sandbox: expected required, preferred or off, got " + describe(value));
            }
        }
        NetworkRule network = section.containsKey("network") ? network("network", section.get("network")) : DEFAULT.network();
        NetworkRule judge = section.containsKey("judge_network") ? network("judge_network", section.get("judge_network"))
                : DEFAULT.judgeNetwork();
        return new SandboxPolicy(mode, network, judge);
    }

    /** As {@link #fromMap}, with the error placed at the file, line and key where the value was written. */
    public static SandboxPolicy load(JsonNode section, ConfigLocator locator) {
        if (section == null || section.isNull() || section.isMissingNode() || !section.isObject()) return DEFAULT;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = MAPPER.convertValue(section, Map.class);
            return fromMap(map);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int colon = message.indexOf(": ");
            String key = colon > 0 && message.startsWith("policy.") ? message.substring(0, colon) : "policy";
            throw new ConfigException(List.of(locator.error(key, colon > 0 ? message.substring(colon + 2) : message)));
        }
    }

    private static NetworkRule network(String key, Object value) {
        if (value instanceof String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "gateway-only" -> NetworkRule.GATEWAY_ONLY;
                case "open" -> NetworkRule.OPEN;
                default -> throw new IllegalArgumentException("policy." + key + ": expected gateway-only, open or "
                        + "{allow: [host, ...]}, got " + describe(value));
            };
        }
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.get("allow") instanceof List<?> hosts) {
            List<Endpoint> endpoints = new ArrayList<>();
            for (int i = 0; i < hosts.size(); i++) {
                try {
                    if (!(hosts.get(i) instanceof String h)) throw new IllegalArgumentException("expected host or host:port, got "
                            + describe(hosts.get(i)));
                    endpoints.add(Endpoint.parse(h));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("policy." + key + ".allow[" + i + "]: " + e.getMessage(), e);
                }
            }
            return new NetworkRule.Allow(endpoints);
        }
        throw new IllegalArgumentException("policy." + key + ": expected gateway-only, open or {allow: [host, ...]}, got "
                + describe(value));
    }

    private static String describe(Object value) {
        if (value == null) return "nothing";
        if (value instanceof String s) return "'" + s + "'";
        if (value instanceof List<?>) return "a list";
        if (value instanceof Map<?, ?>) return "a map";
        return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }
}
