package dev.ensemble.agents.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One child process of an attempt, as the {@link Launcher} is asked to start it.
 *
 * @param command     the program and its arguments
 * @param workdir     where it starts (the task's worktree); writable inside the sandbox
 * @param environment the child's complete environment (nothing is inherited)
 * @param writable    further folders it may write (its private home); everything else is read-only
 * @param hidden      folders it must not see at all (the user's checkout, the home folder); an
 *                    empty tmpfs is put over each, then {@code workdir}, {@code writable} and
 *                    {@code readable} paths beneath them are bound back in
 * @param readable    folders beneath a hidden one it may read (the CLI's install folder, package caches)
 * @param gitDir      the worktree's own git directory ({@code <common>/worktrees/<name>}): the child
 *                    works on a private copy of it, with a private object store in front of the
 *                    shared one, so git inside the sandbox runs but nothing it writes reaches the
 *                    repository's index, refs or objects
 * @param gateway     the one loopback endpoint forwarded into the network namespace
 * @param network     what else is reachable
 * @param mergeStderr whether stderr goes into stdout's stream
 * @param pidsLimit   at most this many processes at once (a cgroup's pids.max, where one can be made); 0: no limit
 */
public record LaunchSpec(List<String> command, Path workdir, Map<String, String> environment, List<Path> writable,
                         List<Path> hidden, List<Path> readable, Optional<Path> gitDir, Optional<Endpoint> gateway,
                         NetworkRule network, boolean mergeStderr, int pidsLimit) {

    /** Enough for a test runner's worker processes and a CLI's language servers; far below a fork bomb. */
    public static final int DEFAULT_PIDS_LIMIT = 512;

    public LaunchSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        Objects.requireNonNull(workdir, "workdir");
        environment = Map.copyOf(environment);
        writable = List.copyOf(writable);
        hidden = List.copyOf(hidden);
        readable = List.copyOf(readable);
        Objects.requireNonNull(gitDir, "gitDir");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(network, "network");
        if (pidsLimit < 0) throw new IllegalArgumentException("pidsLimit must not be negative");
    }

    /** A command in {@code workdir} with exactly {@code environment}: nothing hidden, no network but the (absent) gateway. */
    public static LaunchSpec of(List<String> command, Path workdir, Map<String, String> environment) {
        return new LaunchSpec(command, workdir, environment, List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(),
                NetworkRule.GATEWAY_ONLY, false, DEFAULT_PIDS_LIMIT);
    }

    public LaunchSpec withWritable(Path... paths) {
        return new LaunchSpec(command, workdir, environment, concat(writable, paths), hidden, readable, gitDir, gateway, network,
                mergeStderr, pidsLimit);
    }

    public LaunchSpec withHidden(Path... paths) {
        return new LaunchSpec(command, workdir, environment, writable, concat(hidden, paths), readable, gitDir, gateway, network,
                mergeStderr, pidsLimit);
    }

    public LaunchSpec withReadable(List<Path> paths) {
        return new LaunchSpec(command, workdir, environment, writable, hidden, concat(readable, paths.toArray(Path[]::new)), gitDir,
                gateway, network, mergeStderr, pidsLimit);
    }

    public LaunchSpec withGitDir(Path dir) {
        return new LaunchSpec(command, workdir, environment, writable, hidden, readable, Optional.ofNullable(dir), gateway, network,
                mergeStderr, pidsLimit);
    }

    public LaunchSpec withGateway(Optional<Endpoint> endpoint) {
        return new LaunchSpec(command, workdir, environment, writable, hidden, readable, gitDir, endpoint, network, mergeStderr,
                pidsLimit);
    }

    public LaunchSpec withNetwork(NetworkRule rule) {
        return new LaunchSpec(command, workdir, environment, writable, hidden, readable, gitDir, gateway, rule, mergeStderr,
                pidsLimit);
    }

    public LaunchSpec withMergedStderr() {
        return new LaunchSpec(command, workdir, environment, writable, hidden, readable, gitDir, gateway, network, true, pidsLimit);
    }

    public LaunchSpec withPidsLimit(int limit) {
        return new LaunchSpec(command, workdir, environment, writable, hidden, readable, gitDir, gateway, network, mergeStderr,
                limit);
    }

    /**
     * The usual confinement of a command in a task's worktree: the user's checkout ({@code repoRoot})
     * and home folder hidden, the worktree writable, the toolchains and package caches under the
     * home folder readable ({@link Toolchains}), the worktree's git directory privately copied.
     */
    public static LaunchSpec inWorktree(List<String> command, Path worktree, Optional<Path> gitDir, Path repoRoot,
                                        Map<String, String> environment) {
        LaunchSpec spec = of(command, worktree, environment).withHidden(repoRoot).withReadable(Toolchains.readable(environment));
        Path home = Toolchains.userHome();
        if (home != null) spec = spec.withHidden(home);
        return gitDir.map(spec::withGitDir).orElse(spec);
    }

    private static List<Path> concat(List<Path> list, Path... more) {
        List<Path> out = new ArrayList<>(list);
        out.addAll(List.of(more));
        return out;
    }
}
