package dev.ensemble.agents.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every child process of an attempt starts here: CLI agents, the builtin agent's commands and the
 * judge's test and lint commands. The launcher applies the OS sandbox ({@link Sandbox}), the
 * child's exact environment plus a launch marker, a new session and a pids cgroup where one can be
 * made, and the network rule; {@link Launch#close()} ends the whole tree. Nothing else in
 * ensemble starts agent-controlled code with {@link ProcessBuilder}.
 *
 * @param sandbox      the mechanism, chosen once per run ({@link SandboxProbe#choose})
 * @param agentNetwork {@code policy.network}: what agents and their commands may reach
 * @param judgeNetwork {@code policy.judge_network}: what the judge's test and lint commands may reach
 * @param killGrace    how long a tree gets between SIGTERM and SIGKILL
 */
public record Launcher(Sandbox sandbox, NetworkRule agentNetwork, NetworkRule judgeNetwork, Duration killGrace) {
    /** The environment variable every launched process carries: {@code <jvm pid>-<launch>-<random>}. */
    public static final String MARKER = "ENSEMBLE_LAUNCH";
    private static final String JVM_PREFIX = MARKER + "=" + ProcessHandle.current().pid() + "-";
    private static final AtomicLong NEXT = new AtomicLong();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /**
     * Children are started from this one long-lived platform thread: Linux sends a child's
     * parent-death signal (bwrap's --die-with-parent) when the *thread* that forked it ends, and a
     * virtual thread's carrier or a pooled thread may end long before the attempt does.
     */
    private static final ExecutorService STARTER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ensemble-launcher");
        t.setDaemon(true);
        return t;
    });

    public Launcher {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(agentNetwork, "agentNetwork");
        Objects.requireNonNull(judgeNetwork, "judgeNetwork");
        Objects.requireNonNull(killGrace, "killGrace");
    }

    /** No sandbox ({@code policy.sandbox: off}, and the default of code that was given no launcher). */
    public static Launcher unconfined() {
        return new Launcher(new Sandbox.None("policy.sandbox: off"), NetworkRule.GATEWAY_ONLY, NetworkRule.GATEWAY_ONLY,
                Duration.ofSeconds(3));
    }

    public Launcher withKillGrace(Duration grace) {
        return new Launcher(sandbox, agentNetwork, judgeNetwork, grace);
    }

    public boolean confines() {
        return !(sandbox instanceof Sandbox.None);
    }

    /** Live processes started through any launcher of this JVM and not yet ended (the tests' check). */
    public static List<Long> survivors() {
        return ProcessSweep.withMarkerPrefix(JVM_PREFIX);
    }

    /**
     * Starts the child. Its stdin is /dev/null. The caller reads {@link Launch#stdout()} (and stderr
     * unless merged) and must close the launch on every path.
     *
     * @throws IOException when it cannot start (the sandbox's own setup included)
     */
    public Launch start(LaunchSpec spec) throws IOException {
        String marker = MARKER + "=" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet() + "-"
                + HexFormat.of().formatHex(randomBytes());
        requireExecutable(spec);
        List<AutoCloseable> resources = new ArrayList<>();
        Optional<PidsCgroup> cgroup = PidsCgroup.create(spec.pidsLimit());
        try {
            List<String> command = confine(spec, resources);
            List<String> argv = new ArrayList<>();
            if (cgroup.isPresent()) {
                argv.addAll(List.of("/bin/sh", "-c", "{ echo $$ > '" + cgroup.get().procsFile() + "'; } 2>/dev/null; exec \"$@\"",
                        "ensemble-launch"));
            }
            // A new session (and process group) that the sweep finds it by; setsid execs in place.
            if (Files.isExecutable(SETSID)) argv.add(SETSID.toString());
            argv.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(argv).directory(spec.workdir().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(spec.mergeStderr());
            builder.environment().clear();
            builder.environment().putAll(spec.environment());
            builder.environment().put(MARKER, marker.substring(MARKER.length() + 1));
            Process process = startOnLauncherThread(builder);
            return new Launch(process, marker, cgroup, resources, killGrace);
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            cgroup.ifPresent(PidsCgroup::close);
            throw e;
        }
    }

    /** The wrappers would start and then fail; saying here that the program is missing keeps the reason plain. */
    private static void requireExecutable(LaunchSpec spec) throws IOException {
        String program = spec.command().getFirst();
        if (program.contains("/")) {
            Path p = program.startsWith("/") ? Path.of(program) : spec.workdir().resolve(program);
            if (!Files.isExecutable(p)) throw new IOException("Cannot run program \"" + program + "\": not found or not executable");
            return;
        }
        for (String dir : spec.environment().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, program))) return;
        }
        throw new IOException("Cannot run program \"" + program + "\": not found on the child's PATH");
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static Process startOnLauncherThread(ProcessBuilder builder) throws IOException {
        Future<Process> started = STARTER.submit(builder::start);
        try {
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            // The child may start anyway: end it rather than leak it.
            Thread.currentThread().interrupt();
            try {
                started.get().destroyForcibly();
            } catch (InterruptedException | ExecutionException ignored) {
                // it did not start
            }
            throw new IOException("interrupted while starting " + builder.command().getFirst());
        }
    }

    /** The command line that applies the sandbox; registers what must be closed with the launch. */
    private List<String> confine(LaunchSpec spec, List<AutoCloseable> resources) throws IOException {
        return switch (sandbox) {
            case Sandbox.None none -> spec.command();
            case Sandbox.Bubblewrap bwrap -> bubblewrap(bwrap, realPaths(spec), resources);
            case Sandbox.SandboxExec exec -> {
                Path scratch = scratch(resources);
                Path tmp = Files.createDirectory(scratch.resolve("tmp"));
                List<String> out = new ArrayList<>(List.of(exec.sandboxExec().toString(), "-p",
                        SandboxProfile.generate(realPaths(spec), tmp, Toolchains.userHome())));
                out.addAll(spec.command());
                yield out;
            }
        };
    }

    private List<String> bubblewrap(Sandbox.Bubblewrap bwrap, LaunchSpec spec, List<AutoCloseable> resources) throws IOException {
        Path scratch = scratch(resources);
        Optional<BubblewrapCommand.GitLayout> git = spec.gitDir().flatMap(Launcher::gitLayout);
        Optional<Path> gitCopy = Optional.empty();
        Optional<Path> objects = Optional.empty();
        if (git.isPresent()) {
            gitCopy = Optional.of(copyTree(git.get().gitDir(), scratch.resolve("gitdir")));
            Path store = scratch.resolve("objects");
            Files.createDirectories(store.resolve("info"));
            Files.createDirectories(store.resolve("pack"));
            Files.writeString(store.resolve("info").resolve("alternates"), BubblewrapCommand.SHARED_OBJECTS + "\n");
            objects = Optional.of(store);
        }
        List<Forward> forwards = new ArrayList<>();
        Map<String, String> hostLines = new LinkedHashMap<>();
        if (!(spec.network() instanceof NetworkRule.Open)) {
            List<Endpoint> targets = new ArrayList<>();
            spec.gateway().ifPresent(targets::add);
            if (spec.network() instanceof NetworkRule.Allow allow) targets.addAll(allow.hosts());
            int next = 10;
            for (int i = 0; i < targets.size(); i++) {
                Endpoint target = targets.get(i);
                String inside;
                if (target.loopback()) {
                    inside = target.host().equals("localhost") ? "127.0.0.1" : target.host();
                } else {
                    inside = "127.0.0." + next++;
                    hostLines.put(target.host(), inside);
                }
                Path socket = scratch.resolve(".ensemble-net-" + i + ".sock");
                resources.add(new UnixForwarder(socket, target));
                forwards.add(new Forward(target, inside, Path.of("/tmp").resolve(socket.getFileName()), socket));
            }
        }
        Optional<Path> hosts = Optional.empty();
        if (!(spec.network() instanceof NetworkRule.Open)) {
            StringBuilder text = new StringBuilder("127.0.0.1 localhost\n");
            hostLines.forEach((host, address) -> text.append(address).append(' ').append(host).append('\n'));
            hosts = Optional.of(Files.writeString(scratch.resolve("hosts"), text));
        }
        return BubblewrapCommand.build(bwrap, spec, new BubblewrapCommand.Scratch(gitCopy, objects, hosts), git, forwards,
                Toolchains.userHome());
    }

    /**
     * The common and per-worktree git folders of a worktree git folder ({@code <common>/worktrees/<name>},
     * whose {@code commondir} names the common one); empty for anything else, which is then simply
     * read-only or hidden like every other path.
     */
    static Optional<BubblewrapCommand.GitLayout> gitLayout(Path gitDir) {
        try {
            Path dir = gitDir.toRealPath();
            Path commonFile = dir.resolve("commondir");
            if (!Files.isRegularFile(commonFile, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            Path common = dir.resolve(Files.readString(commonFile).strip()).toRealPath();
            if (!dir.getParent().getFileName().toString().equals("worktrees") || !dir.getParent().getParent().equals(common)
                    || !Files.isDirectory(common.resolve("objects"))) {
                return Optional.empty();
            }
            return Optional.of(new BubblewrapCommand.GitLayout(common, dir));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Bind mounts need real paths: a symlinked /tmp or home would otherwise be covered twice. */
    private static LaunchSpec realPaths(LaunchSpec spec) {
        return new LaunchSpec(spec.command(), real(spec.workdir()), spec.environment(), reals(spec.writable()), reals(spec.hidden()),
                reals(spec.readable()), spec.gitDir(), spec.gateway(), spec.network(), spec.mergeStderr(), spec.pidsLimit());
    }

    private static List<Path> reals(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.exists(p)) out.add(real(p));
        }
        return out;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static Path scratch(List<AutoCloseable> resources) throws IOException {
        Path scratch = SCRATCH_BASE.isPresent() ? Files.createTempDirectory(SCRATCH_BASE.get(), "ensemble-sandbox-")
                : Files.createTempDirectory("ensemble-sandbox-");
        resources.add(() -> deleteTree(scratch));
        return scratch;
    }

    /**
     * Where a launch's scratch files go: a tmpfs where there is one ({@code /dev/shm}), else the
     * temp folder. Deleting even a handful of small files on a disk mounted with {@code discard}
     * (common for VMs and SSDs) took 25-45 ms per launch, a tmpfs under 1 ms; the files are small
     * (a worktree's git folder, the sockets, a hosts file) and live only as long as the launch.
     * The folder is made 0700 like any temp folder.
     */
    static final Optional<Path> SCRATCH_BASE = tmpfs(Path.of("/dev/shm"));

    static Optional<Path> tmpfs(Path candidate) {
        try {
            if (!Files.isDirectory(candidate) || !Files.isWritable(candidate)) return Optional.empty();
            return Files.getFileStore(candidate).type().equals("tmpfs") ? Optional.of(candidate) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        return to;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

}
