package dev.ensemble.agents.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The bwrap command line for one launch. Everything is read-only ({@code --ro-bind / /}); the
 * hidden folders get an empty tmpfs; then, deepest last so none is covered by a later mount, the
 * worktree and the writable folders are bound back writable, toolchains under the home folder
 * read-only, and git's state is arranged so that git works inside but writes only privately:
 * <ul>
 *   <li>the repository's common git folder is bound read-only (config, refs, hooks, objects);</li>
 *   <li>the worktree's own git folder is replaced by a private copy (index, HEAD, logs);</li>
 *   <li>{@code objects/} is replaced by a private object store whose {@code info/alternates}
 *       names the real one, bound read-only at {@value #SHARED_OBJECTS}: {@code git add} and
 *       {@code git stash} work, the shared objects cannot be rewritten, and ref updates (a commit
 *       by the agent) fail: ensemble commits what the worktree holds.</li>
 * </ul>
 * A private /tmp (a tmpfs of the sandbox's own, gone with it), new PID, IPC and UTS
 * namespaces, a new session (no TIOCSTI into ensemble's terminal), no capabilities, and the child
 * dies with ensemble. The network namespace is unshared unless the rule is {@code open}; the
 * forwards are started inside by a small sh prologue before the command is exec'd, each through
 * its Unix socket bound in at {@code /tmp/.ensemble-net-<n>.sock}.
 */
final class BubblewrapCommand {
    static final String SHARED_OBJECTS = "/tmp/.ensemble-shared-objects";

    /** Where the launch's scratch files are, outside (a tmpfs where there is one: see {@link Launcher}). */
    record Scratch(Optional<Path> gitDirCopy, Optional<Path> objects, Optional<Path> hosts) {}

    /** The repository's common git folder and the worktree's own, as git resolved them at creation. */
    record GitLayout(Path commonDir, Path gitDir) {}

    private record Mount(String kind, Path source, Path dest) {
        int depth() {
            return dest.getNameCount();
        }

        void emit(List<String> out) {
            out.add(kind);
            if (!kind.equals("--tmpfs")) out.add(source.toString());
            out.add(dest.toString());
        }
    }

    private BubblewrapCommand() {}

    static List<String> build(Sandbox.Bubblewrap sandbox, LaunchSpec spec, Scratch scratch, Optional<GitLayout> git,
                              List<Forward> forwards, Path userHome) {
        List<String> out = new ArrayList<>(List.of(sandbox.bwrap().toString(), "--die-with-parent", "--new-session",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "ensemble-sandbox"));
        if (!(spec.network() instanceof NetworkRule.Open)) out.add("--unshare-net");
        out.addAll(List.of("--cap-drop", "ALL"));
        if (forwards.stream().anyMatch(f -> f.target().port() < 1024)) out.addAll(List.of("--cap-add", "CAP_NET_BIND_SERVICE"));
        out.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/var/tmp"));

        List<Mount> mounts = new ArrayList<>();
        // A tmpfs, not a folder outside: nothing to create, and nothing to delete (slow on a discard-mounted disk).
        mounts.add(new Mount("--tmpfs", null, TMP));
        for (Forward f : forwards) mounts.add(new Mount("--bind", f.hostSocket(), f.socket()));
        for (Path hidden : spec.hidden()) mounts.add(new Mount("--tmpfs", null, hidden));
        for (Path readable : new LinkedHashSet<>(spec.readable())) {
            if (exposable(readable, spec, userHome)) mounts.add(new Mount("--ro-bind", readable, readable));
        }
        git.ifPresent(layout -> {
            mounts.add(new Mount("--ro-bind", layout.commonDir(), layout.commonDir()));
            scratch.objects().ifPresent(objects -> {
                mounts.add(new Mount("--ro-bind", layout.commonDir().resolve("objects"), Path.of(SHARED_OBJECTS)));
                mounts.add(new Mount("--bind", objects, layout.commonDir().resolve("objects")));
            });
            scratch.gitDirCopy().ifPresent(copy -> mounts.add(new Mount("--bind", copy, layout.gitDir())));
        });
        mounts.add(new Mount("--bind", spec.workdir(), spec.workdir()));
        for (Path writable : spec.writable()) mounts.add(new Mount("--bind", writable, writable));
        scratch.hosts().ifPresent(hosts -> mounts.add(new Mount("--ro-bind", hosts, Path.of("/etc/hosts"))));
        // Stable: among equal depths the order above holds (a tmpfs before what is bound back into it).
        mounts.sort(Comparator.comparingInt(Mount::depth));
        for (Mount m : mounts) m.emit(out);

        out.addAll(List.of("--chdir", spec.workdir().toString(), "--"));
        if (forwards.isEmpty()) {
            out.addAll(spec.command());
            return out;
        }
        out.addAll(List.of("/bin/sh", "-c", prologue(sandbox, forwards), "ensemble-sandbox"));
        out.addAll(spec.command());
        return out;
    }

    /**
     * Starts each forward's listener and waits until all listen, then becomes the command. The wait
     * is an event, not a poll: each socat's log goes into a pipe whose reader closes its end of the
     * command substitution's pipe when socat says "listening on" (or when socat dies, so a failed
     * listener is no hang), and {@code $(...)} returns once every reader has closed it. The
     * readers then keep draining socat's log (it logs each connection), and die with the namespace.
     */
    static String prologue(Sandbox.Bubblewrap sandbox, List<Forward> forwards) {
        StringBuilder sh = new StringBuilder("r=$(");
        for (Forward f : forwards) {
            sh.append("{ ").append(f.listenCommand(sandbox.socat())).append(" 2>&1 >/dev/null </dev/null | ")
                    .append("{ while IFS= read -r l; do case $l in *' listening on '*) break;; esac; done; exec >&- 2>/dev/null; ")
                    .append("while IFS= read -r l; do :; done; }; } & ");
        }
        sh.append("); exec \"$@\"");
        return sh.toString();
    }

    /**
     * A readable path is bound back only beneath the home folder or the temp folder (which the
     * sandbox replaces with a private one: a CLI or toolchain installed there stays runnable), never
     * beneath another hidden folder (the checkout stays sealed but for the worktree), and never when
     * it would uncover a hidden folder by containing it.
     */
    static boolean exposable(Path readable, LaunchSpec spec, Path userHome) {
        boolean underHome = false;
        for (Path hidden : spec.hidden()) {
            if (hidden.startsWith(readable)) return false;
            if (readable.startsWith(hidden)) {
                if (userHome == null || !hidden.equals(userHome)) return false;
                underHome = true;
            }
        }
        return underHome || (readable.startsWith(TMP) && !readable.equals(TMP));
    }

    private static final Path TMP = Path.of("/tmp");
}
