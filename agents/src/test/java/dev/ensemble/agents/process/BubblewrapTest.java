package dev.ensemble.agents.process;

import static dev.ensemble.agents.process.Launches.ENV;
import static dev.ensemble.agents.process.Launches.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import dev.ensemble.testkit.NoProcessLeft;
import dev.ensemble.testkit.SandboxRequirement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child under bubblewrap, in a real task worktree of a real repository: what it can and cannot
 * write, read, see and reach. Skipped where bwrap cannot run (the README says where it was run).
 */
@ExtendWith(NoProcessLeft.class)
class BubblewrapTest {
    @TempDir Path tmp;

    private Launcher launcher;
    private Path repo;
    private Path home;
    private Workspace ws;
    private Workspace other;
    private HttpServer gateway;
    private HttpServer bystander;

    @BeforeEach
    void setUp() throws Exception {
        Sandbox sandbox = SandboxProbe.detect();
        SandboxRequirement.require(sandbox instanceof Sandbox.Bubblewrap, sandbox.describe());
        launcher = new Launcher(sandbox, NetworkRule.GATEWAY_ONLY, NetworkRule.GATEWAY_ONLY, Duration.ofMillis(300));
        repo = Files.createDirectories(tmp.resolve("repo"));
        Git git = Git.in(repo);
        git.ok("init", "-q", "-b", "main");
        git.ok("config", "user.email", "t@example.com");
        git.ok("config", "user.name", "t");
        Files.writeString(repo.resolve("README.md"), "original\n");
        Files.writeString(repo.resolve(".env"), "SECRET=checkout\n");
        git.ok("add", "README.md");
        git.ok("commit", "-q", "-m", "init");
        WorkspaceManager manager = new WorkspaceManager(repo);
        ws = manager.create("r1", "a", "HEAD", List.of());
        other = manager.create("r1", "b", "HEAD", List.of());
        home = Files.createDirectories(tmp.resolve("home/.ssh"));
        Files.writeString(home.resolve("id_ed25519"), "PRIVATE KEY\n");
        gateway = server("from the gateway");
        bystander = server("from a bystander");
    }

    @AfterEach
    void tearDown() {
        if (gateway != null) gateway.stop(0);
        if (bystander != null) bystander.stop(0);
    }

    private static HttpServer server(String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/slow")) {
                try {
                    Thread.sleep(1_500);  // longer than socat's default half-close wait (0.5 s)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private LaunchSpec spec(String script) {
        return LaunchSpec.inWorktree(sh(script), ws.directory(), Optional.of(ws.gitDir()), repo, ENV)
                .withHidden(tmp.resolve("home"))
                .withGateway(Optional.of(new Endpoint("127.0.0.1", gateway.getAddress().getPort())));
    }

    private Launches.Result run(String script) throws Exception {
        return Launches.run(launcher, spec(script), Duration.ofSeconds(30));
    }

    @Test
    void writesOutsideTheWorktreeNeverReachTheDisk() throws Exception {
        Path outside = tmp.resolve("outside.txt");
        var result = run("echo inside > mine.txt; echo x > ../escape.txt; echo x > " + repo.resolve("README.md") + "; "
                + "echo x > " + outside + "; ln -s " + repo.resolve(".env") + " link; echo x > link; "
                + "echo x > " + other.directory().resolve("planted.txt") + "; echo x > /usr/evil; echo done");

        assertThat(result.output()).contains("done");
        assertThat(ws.directory().resolve("mine.txt")).hasContent("inside");
        assertThat(ws.directory().resolve("../escape.txt")).doesNotExist();
        assertThat(repo.resolve("README.md")).hasContent("original");
        assertThat(repo.resolve(".env")).hasContent("SECRET=checkout");
        assertThat(outside).doesNotExist();
        assertThat(other.directory().resolve("planted.txt")).doesNotExist();
        assertThat(Path.of("/usr/evil")).doesNotExist();
    }

    @Test
    void theCheckoutTheHomeFolderAndOtherWorktreesCannotBeRead() throws Exception {
        var result = run("cat " + home.resolve("id_ed25519") + "; cat " + repo.resolve(".env") + "; cat " + repo.resolve("README.md")
                + "; ls " + other.directory() + "; ls -a " + repo + "/.ensemble; cat README.md; echo end");

        assertThat(result.output()).doesNotContain("PRIVATE KEY").doesNotContain("SECRET=checkout");
        assertThat(result.output()).contains("original").contains("end");
        assertThat(result.output()).doesNotContain("ensemble.db");
    }

    @Test
    void noOtherProcessIsVisibleAndItsEnvironmentCannotBeRead() throws Exception {
        long jvm = ProcessHandle.current().pid();
        var result = run("cat /proc/" + jvm + "/environ; cat /proc/1/cmdline; echo; ls /proc | grep -c '^[0-9]' ; echo end");

        assertThat(result.output()).doesNotContain("PATH=").contains("end");
        int visible = Integer.parseInt(result.output().lines().filter(l -> l.matches("\\d+")).reduce((a, b) -> b).orElse("99"));
        // bwrap's init, the command's shell, the gateway's socat and its log reader, ls and grep: none of the host's.
        assertThat(visible).isLessThanOrEqualTo(6);
    }

    @Test
    void onlyTheForwardedGatewayIsReachable() throws Exception {
        int other = bystander.getAddress().getPort();
        int gw = gateway.getAddress().getPort();
        // socat's -t is how long it waits for the answer after its stdin ended: 2 s lost the gateway's answer on
        // a loaded machine. 30 s never decides the outcome: each call ends when the other side closes or refuses.
        var result = run("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | socat -t30 - TCP:127.0.0.1:" + gw + "; echo; "
                + "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | socat -t30 - TCP:127.0.0.1:" + other + ",connect-timeout=30 || echo bystander-refused; "
                + "socat -t30 - TCP:1.1.1.1:80,connect-timeout=30 </dev/null || echo outside-refused; "
                + "socat -t30 - TCP:example.com:443,connect-timeout=30 </dev/null || echo dns-refused");

        assertThat(result.output()).contains("from the gateway").doesNotContain("from a bystander");
        assertThat(result.output()).contains("bystander-refused", "outside-refused", "dns-refused");
    }

    @Test
    void theGatewayAnswersTheCommandsFirstConnectionAndTmpIsPrivate() throws Exception {
        Path hostTmpFile = Path.of("/tmp/ensemble-sandbox-probe-" + ProcessHandle.current().pid());
        // No retry: the listener must listen before the command starts (the prologue waits for it).
        var result = run("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | socat -t30 - TCP:127.0.0.1:" + gateway.getAddress().getPort()
                + "; echo; echo x > " + hostTmpFile + "; ls -A /tmp; echo end");

        assertThat(result.output()).contains("from the gateway", "end");
        assertThat(hostTmpFile).doesNotExist();
        // Only what ensemble put there: the forward's socket, the shared objects and what the command wrote.
        assertThat(result.output().lines().filter(l -> l.startsWith(".ensemble-net-"))).containsExactly(".ensemble-net-0.sock");
    }

    @Test
    void aSlowAnswerAfterTheClientHalfClosedStillArrives() throws Exception {
        var result = run("printf 'GET /slow HTTP/1.0\\r\\n\\r\\n' | socat -t30 - TCP:127.0.0.1:" + gateway.getAddress().getPort()
                + "; echo; echo end");

        assertThat(result.output()).contains("from the gateway", "end");
    }

    @Test
    void gitWorksInsideButWritesOnlyPrivately() throws Exception {
        Path index = ws.gitDir().resolve("index");
        byte[] indexBefore = Files.exists(index) ? Files.readAllBytes(index) : new byte[0];
        long objectsBefore = countObjects();
        var result = run("echo new > added.txt; git status --porcelain; git add added.txt && echo added; "
                + "git -c user.email=a@b -c user.name=a commit -qm agent && echo committed || echo commit-refused; "
                + "git config core.hooksPath /tmp/x && echo configured || echo config-refused");

        assertThat(result.output()).contains("?? added.txt", "added", "commit-refused", "config-refused");
        assertThat(Files.exists(index) ? Files.readAllBytes(index) : new byte[0]).isEqualTo(indexBefore);
        assertThat(countObjects()).isEqualTo(objectsBefore);
        assertThat(Git.in(repo).exec("config", "--local", "--get", "core.hooksPath").ok()).isFalse();
        assertThat(ws.directory().resolve("added.txt")).hasContent("new");
    }

    @Test
    void detachedAndTermIgnoringChildrenDieWithTheAttempt() throws Exception {
        Path late = ws.directory().resolve("late.txt");
        var result = run("setsid sh -c 'sleep 2; echo late > late.txt' >/dev/null 2>&1 </dev/null & "
                + "(sh -c 'trap \"\" TERM; sleep 2; echo late >> late.txt' >/dev/null 2>&1 </dev/null &); sleep 0.3; echo ok");

        assertThat(result.output()).contains("ok");
        assertThat(Launcher.survivors()).isEmpty();
        Thread.sleep(2_500);
        assertThat(late).doesNotExist();
    }

    @Test
    void aForkBombIsContained() throws Exception {
        assumeTrue(PidsCgroup.parent().isPresent(), "no writable pids cgroup here");
        try (Launch launch = launcher.start(spec("f() { f | f & }; f; sleep 5").withPidsLimit(40))) {
            Thread.sleep(1_500);
            assertThat(launch.members().size()).isLessThanOrEqualTo(41);
        }
        assertThat(Launcher.survivors()).isEmpty();
    }

    @Test
    void nodeRunsInside() throws Exception {
        Optional<Path> node = SandboxProbe.which("node", ENV.get("PATH"));
        assumeTrue(node.isPresent(), "no node here");
        var result = run(node.get() + " -e 'console.log(\"node \" + (40 + 2))'");

        assertThat(result.output()).contains("node 42");
    }

    private long countObjects() throws IOException {
        try (var files = Files.walk(repo.resolve(".git/objects"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
