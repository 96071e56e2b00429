package dev.ensemble.agents.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The macOS Seatbelt profile has bubblewrap's rules: everything readable but the hidden folders,
 * toolchains under the home folder read back, writes only to the worktree, the private home, the
 * worktree's git folder and the private temp folder, the gateway's port and nothing else on the
 * network, no signals or process info outside the sandbox. Generated and checked here, on Linux;
 * it has not been run under sandbox-exec in this project.
 */
class SandboxProfileTest {
    private static final Path HOME = Path.of("/Users/dev");
    private static final Path REPO = Path.of("/Users/dev/src/app");
    private static final Path WORKTREE = Path.of("/Users/dev/src/app/.ensemble/worktrees/r1/a");
    private static final Path GIT_DIR = Path.of("/Users/dev/src/app/.git/worktrees/a");
    private static final Path AGENT_HOME = Path.of("/private/var/folders/x/ensemble-agents/claude-1");
    private static final Path TMP = Path.of("/private/var/folders/x/ensemble-sandbox-1/tmp");

    private static LaunchSpec spec(NetworkRule network) {
        return LaunchSpec.of(List.of("claude", "-p", "x"), WORKTREE, Map.of("PATH", "/usr/bin"))
                .withHidden(REPO, HOME).withWritable(AGENT_HOME)
                .withReadable(List.of(HOME.resolve(".nvm"), HOME.resolve("src"), Path.of("/opt/homebrew")))
                .withGitDir(GIT_DIR).withGateway(Optional.of(new Endpoint("127.0.0.1", 41234))).withNetwork(network);
    }

    private static List<String> lines(NetworkRule network) {
        return SandboxProfile.generate(spec(network), TMP, HOME).lines().toList();
    }

    @Test
    void deniesByDefaultAndKeepsSignalsAndProcessInfoInsideTheSandbox() {
        List<String> p = lines(NetworkRule.GATEWAY_ONLY);
        assertThat(p.getFirst()).isEqualTo("(version 1)");
        assertThat(p).contains("(deny default)", "(allow signal (target same-sandbox))", "(allow process-info* (target same-sandbox))");
        assertThat(p).noneMatch(l -> l.startsWith("(allow signal)") || l.equals("(allow process-info*)"));
    }

    @Test
    void theCheckoutAndTheHomeFolderAreHiddenAndOnlyToolchainsUnderTheHomeAreReadBack() {
        List<String> p = lines(NetworkRule.GATEWAY_ONLY);
        assertThat(p).contains("(allow file-read*)", "(deny file-read* (subpath \"/Users/dev/src/app\"))",
                "(deny file-read* (subpath \"/Users/dev\"))", "(allow file-read* (subpath \"/Users/dev/.nvm\"))");
        // ~/src contains the checkout: reading it back would uncover what is hidden. /opt is not hidden at all.
        assertThat(p).noneMatch(l -> l.contains("(allow file-read* (subpath \"/Users/dev/src\"))"));
        assertThat(p).noneMatch(l -> l.contains("/opt/homebrew"));
        // A later, more specific rule wins in Seatbelt: the read-backs come after the denials.
        assertThat(p.indexOf("(allow file-read* (subpath \"/Users/dev/.nvm\"))"))
                .isGreaterThan(p.indexOf("(deny file-read* (subpath \"/Users/dev\"))"));
    }

    @Test
    void writesOnlyToTheWorktreeThePrivateHomeTheWorktreesGitFolderAndThePrivateTemp() {
        List<String> writes = lines(NetworkRule.GATEWAY_ONLY).stream().filter(l -> l.contains("file-write")).toList();
        assertThat(writes).containsExactly(
                "(allow file-read* file-write* (subpath \"" + WORKTREE + "\"))",
                "(allow file-read* file-write* (subpath \"" + AGENT_HOME + "\"))",
                "(allow file-read* file-write* (subpath \"" + GIT_DIR + "\"))",
                "(allow file-read* file-write* (subpath \"" + TMP + "\"))",
                "(allow file-write-data (literal \"/dev/null\") (literal \"/dev/tty\") (literal \"/dev/dtracehelper\"))");
    }

    @Test
    void gatewayOnlyReachesTheGatewaysLoopbackPortAndNothingElse() {
        List<String> net = lines(NetworkRule.GATEWAY_ONLY).stream().filter(l -> l.contains("network")).toList();
        assertThat(net).containsExactly("(allow network-outbound (remote tcp \"localhost:41234\"))");
    }

    @Test
    void allowAddsTheHostsPortsAndNameResolutionAndOpenAllowsEverything() {
        List<String> net = lines(new NetworkRule.Allow(List.of(new Endpoint("registry.npmjs.org", 443)))).stream()
                .filter(l -> l.contains("network")).toList();
        assertThat(net).containsExactly("(allow network-outbound (remote tcp \"localhost:41234\"))",
                "(allow network-outbound (remote unix-socket (path-literal \"/private/var/run/mDNSResponder\")))",
                "(allow network-outbound (remote tcp \"*:443\"))");
        assertThat(lines(NetworkRule.OPEN)).contains("(allow network*)");
    }

    @Test
    void pathsAreQuotedAsSchemeStrings() {
        assertThat(SandboxProfile.quote(Path.of("/tmp/a \"b\"\\c"))).isEqualTo("\"/tmp/a \\\"b\\\"\\\\c\"");
    }
}
