package dev.ensemble.agents.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bwrap argv for one launch, built without running it: namespaces, mounts in order, git's private state, the forwards. */
class BubblewrapCommandTest {
    private static final Sandbox.Bubblewrap BWRAP = new Sandbox.Bubblewrap(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/socat"));
    private static final Path HOME = Path.of("/home/dev");
    private static final Path REPO = Path.of("/home/dev/src/app");
    private static final Path COMMON = REPO.resolve(".git");
    private static final Path GIT_DIR = COMMON.resolve("worktrees/a");
    private static final Path WORKTREE = REPO.resolve(".ensemble/worktrees/r1/a");
    private static final Path AGENT_HOME = Path.of("/tmp/ensemble-agents/claude-1");
    private static final BubblewrapCommand.Scratch SCRATCH = new BubblewrapCommand.Scratch(
            Optional.of(Path.of("/dev/shm/ensemble-sandbox-1/gitdir")), Optional.of(Path.of("/dev/shm/ensemble-sandbox-1/objects")),
            Optional.of(Path.of("/dev/shm/ensemble-sandbox-1/hosts")));

    private static LaunchSpec spec(NetworkRule network) {
        return LaunchSpec.of(List.of("claude", "-p", "do it"), WORKTREE, Map.of("PATH", "/usr/bin"))
                .withHidden(REPO, HOME).withWritable(AGENT_HOME)
                .withReadable(List.of(HOME.resolve(".m2"), HOME.resolve("src"), Path.of("/tmp/cli-install/bin"), HOME.resolve(".m2")))
                .withGitDir(GIT_DIR).withNetwork(network);
    }

    private static List<String> argv(NetworkRule network, List<Forward> forwards) {
        return BubblewrapCommand.build(BWRAP, spec(network), SCRATCH, Optional.of(new BubblewrapCommand.GitLayout(COMMON, GIT_DIR)),
                forwards, HOME);
    }

    /** The mounts as "kind source dest" (a tmpfs has no source), in argv order. */
    private static List<String> mounts(List<String> argv) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            switch (argv.get(i)) {
                case "--bind", "--ro-bind" -> {
                    out.add(argv.get(i) + " " + argv.get(i + 1) + " " + argv.get(i + 2));
                    i += 2;
                }
                case "--tmpfs" -> out.add("--tmpfs " + argv.get(++i));
                case "--" -> i = argv.size();
                default -> { }
            }
        }
        return out;
    }

    @Test
    void namespacesNoCapabilitiesANewSessionAndDeathWithTheParent() {
        List<String> argv = argv(NetworkRule.GATEWAY_ONLY, List.of());
        assertThat(argv.subList(0, 8)).containsExactly("/usr/bin/bwrap", "--die-with-parent", "--new-session", "--unshare-pid",
                "--unshare-ipc", "--unshare-uts", "--hostname", "ensemble-sandbox");
        assertThat(argv).contains("--unshare-net").containsSequence("--cap-drop", "ALL").doesNotContain("--cap-add");
        assertThat(argv).containsSequence("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/var/tmp");
        assertThat(argv.subList(argv.indexOf("--"), argv.size())).containsExactly("--", "claude", "-p", "do it");
        assertThat(argv).containsSequence("--chdir", WORKTREE.toString());
    }

    @Test
    void openKeepsTheHostNetwork() {
        assertThat(argv(NetworkRule.OPEN, List.of())).doesNotContain("--unshare-net");
    }

    @Test
    void mountsAreOrderedShallowFirstSoNothingBoundBackIsCoveredAgain() {
        List<String> m = mounts(argv(NetworkRule.GATEWAY_ONLY, List.of()));
        assertThat(m).containsExactly(
                "--ro-bind / /",
                "--tmpfs /var/tmp",
                "--tmpfs /tmp",
                "--tmpfs /home/dev",
                "--ro-bind /home/dev/src/app/.git/objects " + BubblewrapCommand.SHARED_OBJECTS,
                "--ro-bind /dev/shm/ensemble-sandbox-1/hosts /etc/hosts",
                "--ro-bind /home/dev/.m2 /home/dev/.m2",
                "--ro-bind /tmp/cli-install/bin /tmp/cli-install/bin",
                "--bind " + AGENT_HOME + " " + AGENT_HOME,
                "--tmpfs /home/dev/src/app",
                "--ro-bind /home/dev/src/app/.git /home/dev/src/app/.git",
                "--bind /dev/shm/ensemble-sandbox-1/objects /home/dev/src/app/.git/objects",
                "--bind /dev/shm/ensemble-sandbox-1/gitdir /home/dev/src/app/.git/worktrees/a",
                "--bind " + WORKTREE + " " + WORKTREE);
        // ~/src holds the checkout: reading it back would uncover it; ~/.m2, named twice, is bound once.
        assertThat(m).noneMatch(s -> s.endsWith(" /home/dev/src"));
    }

    @Test
    void forwardsStartInsideBeforeTheCommandAndAPrivilegedPortKeepsOnlyTheBindCapability() {
        Forward gateway = new Forward(new Endpoint("127.0.0.1", 41234), "127.0.0.1", Path.of("/tmp/.ensemble-net-0.sock"),
                Path.of("/dev/shm/ensemble-sandbox-1/.ensemble-net-0.sock"));
        List<String> argv = argv(NetworkRule.GATEWAY_ONLY, List.of(gateway));
        assertThat(mounts(argv)).containsSubsequence("--tmpfs /tmp",
                "--bind /dev/shm/ensemble-sandbox-1/.ensemble-net-0.sock /tmp/.ensemble-net-0.sock");
        int dashes = argv.indexOf("--");
        assertThat(argv.subList(dashes, dashes + 3)).containsExactly("--", "/bin/sh", "-c");
        String prologue = argv.get(dashes + 3);
        assertThat(prologue).startsWith("r=$({ /usr/bin/socat -d -d -t 3600 TCP-LISTEN:41234,bind=127.0.0.1,reuseaddr,fork "
                + "UNIX-CONNECT:/tmp/.ensemble-net-0.sock 2>&1 >/dev/null </dev/null | ")
                .contains("*' listening on '*) break").endsWith("exec \"$@\"");
        assertThat(argv.subList(dashes + 4, argv.size())).containsExactly("ensemble-sandbox", "claude", "-p", "do it");
        assertThat(argv).doesNotContain("--cap-add");
        Forward https = new Forward(new Endpoint("api.example.com", 443), "127.0.0.10", Path.of("/tmp/.ensemble-net-1.sock"),
                Path.of("/dev/shm/ensemble-sandbox-1/.ensemble-net-1.sock"));
        assertThat(argv(new NetworkRule.Allow(List.of(https.target())), List.of(gateway, https)))
                .containsSequence("--cap-drop", "ALL", "--cap-add", "CAP_NET_BIND_SERVICE");
    }

    @Test
    void theListenersAreAwaitedByTheirLogNotByPolling() {
        Forward a = new Forward(new Endpoint("127.0.0.1", 41234), "127.0.0.1", Path.of("/tmp/.ensemble-net-0.sock"), Path.of("/x/0"));
        Forward b = new Forward(new Endpoint("api.example.com", 443), "127.0.0.10", Path.of("/tmp/.ensemble-net-1.sock"), Path.of("/x/1"));
        String prologue = BubblewrapCommand.prologue(BWRAP, List.of(a, b));
        // One command substitution waits for both readers; no sleep loop, no cap after which the command starts unready.
        assertThat(prologue).doesNotContain("sleep").doesNotContain("/proc/net/tcp");
        assertThat(prologue.split("listening on", -1)).hasSize(3);
        assertThat(prologue).startsWith("r=$(").contains("exec >&- 2>/dev/null");
    }
}
