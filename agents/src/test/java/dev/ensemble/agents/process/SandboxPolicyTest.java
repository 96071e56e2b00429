package dev.ensemble.agents.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.LocatedYaml;
import java.util.List;
import org.junit.jupiter.api.Test;

/** policy.sandbox, policy.network and policy.judge_network as written in a file: values, defaults, and errors at file:line:key. */
class SandboxPolicyTest {

    private static SandboxPolicy load(String yaml) {
        LocatedYaml located = LocatedYaml.read("ensemble.yaml", yaml);
        return SandboxPolicy.load(located.tree().get("policy"), located.locator());
    }

    private static ConfigError error(String yaml) {
        try {
            load(yaml);
        } catch (ConfigException e) {
            assertThat(e.errors()).hasSize(1);
            return e.errors().getFirst();
        }
        throw new AssertionError("no error for:\n" + yaml);
    }

    @Test
    void withoutTheKeysTheDefaultIsPreferredAndGatewayOnlyForAgentsAndTheJudge() {
        assertThat(load("policy:\n  guard_main_tree: true\n")).isEqualTo(SandboxPolicy.DEFAULT);
        assertThat(load("default_model: x\n")).isEqualTo(SandboxPolicy.DEFAULT);
        assertThat(SandboxPolicy.DEFAULT.mode()).isEqualTo(SandboxMode.PREFERRED);
        assertThat(SandboxPolicy.DEFAULT.network()).isEqualTo(NetworkRule.GATEWAY_ONLY);
        assertThat(SandboxPolicy.DEFAULT.judgeNetwork()).isEqualTo(NetworkRule.GATEWAY_ONLY);
    }

    @Test
    void everyValueIsRead() {
        SandboxPolicy p = load("""
                policy:
                  sandbox: required
                  network: open
                  judge_network:
                    allow: [registry.npmjs.org, "pypi.org:8443"]
                """);
        assertThat(p.mode()).isEqualTo(SandboxMode.REQUIRED);
        assertThat(p.network()).isEqualTo(NetworkRule.OPEN);
        assertThat(p.judgeNetwork()).isEqualTo(new NetworkRule.Allow(List.of(new Endpoint("registry.npmjs.org", 443),
                new Endpoint("pypi.org", 8443))));
        assertThat(load("policy: { sandbox: 'off', network: gateway-only }\n").mode()).isEqualTo(SandboxMode.OFF);
    }

    @Test
    void aBadModeNamesFileLineAndKey() {
        ConfigError e = error("default_model: x\npolicy:\n  guard_main_tree: true\n  sandbox: always\n");
        assertThat(e.source()).isEqualTo("ensemble.yaml");
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEqualTo("policy.sandbox");
        assertThat(e.message()).contains("required, preferred or off").contains("'always'");
    }

    @Test
    void aBadNetworkNamesItsKey() {
        ConfigError e = error("policy:\n  sandbox: preferred\n  judge_network: internet\n");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("policy.judge_network");
        assertThat(e.message()).contains("gateway-only, open or {allow: [host, ...]}").contains("'internet'");
        ConfigError map = error("policy:\n  network: { deny: [x] }\n");
        assertThat(map.key()).isEqualTo("policy.network");
        assertThat(map.message()).contains("got a map");
    }

    @Test
    void aBadAllowedHostNamesItsIndexInTheList() {
        ConfigError e = error("""
                policy:
                  network:
                    allow:
                      - api.example.com
                      - "example.org:99999"
                """);
        assertThat(e.key()).isEqualTo("policy.network.allow[1]");
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.message()).contains("port out of range: 99999");
        ConfigError first = error("policy:\n  network: { allow: ['-bad-'] }\n");
        assertThat(first.key()).isEqualTo("policy.network.allow[0]");
        assertThat(first.line()).isEqualTo(2);
        assertThat(first.message()).contains("not a host name");
    }
}
