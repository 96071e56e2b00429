package dev.ensemble.agents.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The macOS {@code sandbox-exec} profile with the rules bubblewrap applies on Linux, as far as
 * Seatbelt can express them: reads allowed except the hidden folders (the checkout, the home
 * folder) with the worktree, the toolchains and the writable folders allowed back in (a later,
 * more specific rule wins); writes only to the worktree, the writable folders, the worktree's own
 * git folder, the private temp folder and /dev/null-like devices; no network but the gateway's
 * loopback port (and, under {@code allow}, outbound to the listed hosts' ports: Seatbelt matches
 * remote hosts only as {@code *} or localhost, so an allowed host opens its port to any address —
 * said in the README); no reading other processes. Seatbelt has no PID namespace: the process
 * tree is ended by session and marker, as without a sandbox.
 *
 * <p>Generated here and unit-tested on Linux; it has not been run on a Mac in this project's CI.
 */
final class SandboxProfile {
    private SandboxProfile() {}

    static String generate(LaunchSpec spec, Path privateTmp, Path userHome) {
        List<String> lines = new ArrayList<>();
        lines.add("(version 1)");
        lines.add("(deny default)");
        lines.add("(import \"system.sb\")");
        lines.add("(allow process-fork)");
        lines.add("(allow process-exec)");
        lines.add("(allow signal (target same-sandbox))");
        lines.add("(allow process-info* (target same-sandbox))");
        lines.add("(allow sysctl-read)");
        lines.add("(allow mach-lookup)");
        lines.add("(allow ipc-posix-shm)");
        lines.add("(allow file-read*)");
        for (Path hidden : spec.hidden()) lines.add("(deny file-read* (subpath " + quote(hidden) + "))");
        List<Path> readBack = new ArrayList<>();
        for (Path readable : spec.readable()) {
            if (BubblewrapCommand.exposable(readable, spec, userHome)) readBack.add(readable);
        }
        List<Path> writable = new ArrayList<>();
        writable.add(spec.workdir());
        writable.addAll(spec.writable());
        spec.gitDir().ifPresent(writable::add);
        writable.add(privateTmp);
        for (Path p : readBack) lines.add("(allow file-read* (subpath " + quote(p) + "))");
        for (Path p : writable) lines.add("(allow file-read* file-write* (subpath " + quote(p) + "))");
        lines.add("(allow file-write-data (literal \"/dev/null\") (literal \"/dev/tty\") (literal \"/dev/dtracehelper\"))");
        switch (spec.network()) {
            case NetworkRule.Open open -> lines.add("(allow network*)");
            case NetworkRule.GatewayOnly gatewayOnly -> gateway(spec, lines);
            case NetworkRule.Allow allow -> {
                gateway(spec, lines);
                lines.add("(allow network-outbound (remote unix-socket (path-literal \"/private/var/run/mDNSResponder\")))");
                for (Endpoint host : allow.hosts()) lines.add("(allow network-outbound (remote tcp \"*:" + host.port() + "\"))");
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static void gateway(LaunchSpec spec, List<String> lines) {
        spec.gateway().ifPresent(g -> lines.add("(allow network-outbound (remote tcp \"localhost:" + g.port() + "\"))"));
    }

    /** A Scheme string literal: backslashes and quotes escaped. */
    static String quote(Path path) {
        return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
