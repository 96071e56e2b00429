package dev.ensemble.agents.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Finds the sandbox mechanism that works on this machine and says why: bwrap found and working,
 * missing, or not permitted (a kernel or container that forbids the namespaces). Asked once per
 * process; {@code doctor} prints the answer and {@link #choose} applies {@code policy.sandbox}.
 */
public final class SandboxProbe {
    private static volatile Sandbox cached;
    private static CompletableFuture<Sandbox> pending;

    private SandboxProbe() {}

    /** The usable mechanism here, or {@link Sandbox.None} with the reason there is none. */
    public static Sandbox detect() {
        Sandbox s = cached;
        if (s != null) return s;
        CompletableFuture<Sandbox> running = prefetch();
        s = running.join();
        cached = s;
        return s;
    }

    /**
     * Starts the probe on a virtual thread unless it ran or runs already. A run command calls this
     * first thing, so the probe's bwrap run (15-25 ms) overlaps the command's config and git work
     * instead of adding to the first agent's launch.
     */
    public static synchronized CompletableFuture<Sandbox> prefetch() {
        if (cached != null) return CompletableFuture.completedFuture(cached);
        if (pending == null) {
            String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
            pending = CompletableFuture.supplyAsync(() -> detect(path), task -> Thread.ofVirtual().name("sandbox-probe").start(task));
        }
        return pending;
    }

    static Sandbox detect(String path) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) {
            Path exec = Path.of("/usr/bin/sandbox-exec");
            if (!Files.isExecutable(exec)) return new Sandbox.None("sandbox-exec not found at /usr/bin/sandbox-exec");
            Optional<String> failure = tryRun(List.of(exec.toString(), "-p", "(version 1)(allow default)", "/usr/bin/true"));
            return failure.<Sandbox>map(f -> new Sandbox.None("sandbox-exec is installed but not permitted: " + f))
                    .orElse(new Sandbox.SandboxExec(exec));
        }
        if (!os.contains("linux")) return new Sandbox.None("no sandbox mechanism for " + System.getProperty("os.name"));
        Optional<Path> bwrap = which("bwrap", path);
        if (bwrap.isEmpty()) return new Sandbox.None("bwrap not found on PATH (Debian/Ubuntu: apt install bubblewrap)");
        Optional<Path> socat = which("socat", path);
        if (socat.isEmpty()) {
            return new Sandbox.None("socat not found on PATH; bubblewrap needs it to forward the gateway into the sandbox's "
                    + "network (apt install socat)");
        }
        Optional<String> failure = tryRun(List.of(bwrap.get().toString(), "--die-with-parent", "--new-session", "--unshare-pid",
                "--unshare-net", "--unshare-ipc", "--cap-drop", "ALL", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                "--tmpfs", "/tmp", "true"));
        if (failure.isPresent()) {
            return new Sandbox.None("bwrap is installed but not permitted here (" + failure.get() + "); user namespaces may be "
                    + "disabled (kernel.unprivileged_userns_clone, an AppArmor restriction, or a container without them)");
        }
        return new Sandbox.Bubblewrap(bwrap.get(), socat.get());
    }

    /**
     * The launcher for a run under {@code policy}: the sandbox when one works; without one, the
     * unconfined launcher under {@code preferred} (the caller warns once) and a refusal under
     * {@code required}.
     *
     * @throws SandboxUnavailableException under {@code required} when no mechanism works, with the reason
     */
    public static Launcher choose(SandboxPolicy policy, Sandbox detected) {
        Sandbox sandbox = switch (policy.mode()) {
            case OFF -> new Sandbox.None("policy.sandbox: off");
            case PREFERRED -> detected;
            case REQUIRED -> {
                if (detected instanceof Sandbox.None none) {
                    throw new SandboxUnavailableException("policy.sandbox is required, but no sandbox works here: " + none.why());
                }
                yield detected;
            }
        };
        return new Launcher(sandbox, policy.network(), policy.judgeNetwork(), Duration.ofSeconds(3));
    }

    /** The loud warning for a {@code preferred} run without a sandbox; empty when none is due. */
    public static Optional<String> warning(SandboxPolicy policy, Launcher launcher) {
        if (policy.mode() != SandboxMode.PREFERRED || !(launcher.sandbox() instanceof Sandbox.None none)) return Optional.empty();
        return Optional.of("WARNING: no OS sandbox: agents and the judge's commands run with your user's full access to "
                + "files, processes and the network (" + none.why() + "). Set policy.sandbox: required to refuse instead, "
                + "or policy.sandbox: off to silence this.");
    }

    static Optional<Path> which(String name, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private static Optional<String> tryRun(List<String> command) {
        try {
            // The probe runs a fixed, harmless command of ours, not agent-controlled code.
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Optional.of("it did not answer within 10 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() == 0) return Optional.empty();
            String first = out.lines().findFirst().orElse("exit code " + p.exitValue());
            return Optional.of(first.length() > 200 ? first.substring(0, 200) + "…" : first);
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** For doctor: every key's value shown as configured. */
    public static Map<String, String> describe(SandboxPolicy policy, Sandbox detected) {
        return Map.of("policy.sandbox", policy.mode().key(), "policy.network", policy.network().toString(),
                "policy.judge_network", policy.judgeNetwork().toString(), "mechanism", detected.describe());
    }
}
