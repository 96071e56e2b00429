package dev.ensemble.gateway.attempt;

import dev.ensemble.llm.ToolCall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A heuristic second line behind the OS sandbox: reads the tool calls a model asks an agent to
 * make (shell commands and file paths, whatever the tool's shape) and flags the three things an
 * unconfined agent could do that cannot be undone afterwards or lie outside what the attempt
 * guard watches:
 * <ul>
 *   <li>{@link Kind#CREDENTIALS}: a read of a credential file outside the worktree ({@code ~/.aws},
 *       {@code ~/.ssh}, {@code ~/.config/gcloud}, {@code .netrc}, a {@code .env} outside it,
 *       {@code /proc/<pid>/environ}, …);</li>
 *   <li>{@link Kind#NETWORK}: a network client aimed anywhere but loopback ({@code curl},
 *       {@code wget}, {@code nc}, {@code ssh}/{@code scp}, inline {@code python -c}/{@code node -e}
 *       code that opens a connection, {@code /dev/tcp}, {@code git push});</li>
 *   <li>{@link Kind#WRITE_OUTSIDE}: a write outside the worktree (a file tool's path, a shell
 *       redirection, {@code cp}/{@code mv}/{@code tee}/{@code rm}… targets, {@code git -C} into
 *       another repository); {@code /tmp} and {@code /dev/null} excepted, but never the user's
 *       checkout or a path that climbs out of the worktree with {@code ..};</li>
 *   <li>{@link Kind#DETACH}: {@code setsid}, {@code nohup}, {@code disown}, {@code crontab},
 *       {@code at}, {@code systemd-run}: what would outlive the attempt, where no sandbox ends it.</li>
 * </ul>
 * It errs on the side of letting work through: tests, builds, package installs, {@code git status}
 * and reads inside the worktree are never flagged, and a path hidden behind a variable it cannot
 * expand is not followed. It cannot see what a program it lets run does later (a test that opens
 * a socket): that is the sandbox's job. Thread-safe and stateless.
 */
public final class ToolCallAuditor {
    /** The refusal reason a blocked attempt fails with ("blocked: …"). */
    public static final String BLOCKED = "blocked";

    /** What a flagged call would have done. */
    public enum Kind {
        CREDENTIALS("reads credentials outside the worktree"),
        NETWORK("reaches the network beyond loopback"),
        WRITE_OUTSIDE("writes outside the worktree"),
        DETACH("starts a process meant to outlive the attempt, or schedules one");

        private final String words;

        Kind(String words) {
            this.words = words;
        }
    }

    /** One flagged tool call: what it does, the tool, and the part of its arguments that showed it. */
    public record Flag(Kind kind, String tool, String evidence) {
        public String describe() {
            return "tool call " + tool + " " + kind.words + " (" + evidence + ")";
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> COMMAND_KEYS = Set.of("command", "cmd", "script", "commandline", "command_line", "shell", "code");
    private static final Set<String> PATH_KEYS = Set.of("path", "file_path", "filepath", "notebook_path", "file", "filename",
            "target", "target_file", "destination", "dest", "new_path", "old_path", "absolute_path", "dir_path");
    private static final Pattern WRITING_TOOL = Pattern.compile(
            "write|edit|create|replace|patch|apply|insert|delete|remove|move|rename|mkdir|save|append|multiedit");
    private static final Pattern PATCH_PATH = Pattern.compile("(?m)^\\*\\*\\* (?:Add File|Update File|Delete File|Move to): (.+)$");
    /** Credential files and folders, matched on a path's end; the leading path decides whether it is outside the worktree. */
    private static final Pattern CREDENTIAL = Pattern.compile(
            "([\\w.~${}/+@-]*?)((?:^|/)\\.(?:aws|ssh|gnupg|azure|kube|docker|password-store)(?:/[\\w.@+-]*)*"
                    + "|(?:^|/)\\.config/(?:gcloud|gh|hub|ensemble)(?:/[\\w.@+-]*)*"
                    + "|(?:^|/)\\.(?:netrc|git-credentials|npmrc|pypirc|pgpass|my\\.cnf)\\b"
                    + "|(?:^|/)\\.claude/\\.credentials\\.json|(?:^|/)\\.codex/auth\\.json"
                    + "|/proc/[\\w*$]+/environ|/etc/shadow"
                    + "|(?:^|/)\\.env(?:\\.[\\w.-]+)?\\b)");
    private static final Set<String> NETWORK_CLIENTS = Set.of("curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "ftp",
            "sftp", "scp", "ssh", "rsync", "aria2c", "http", "https", "xh", "lynx", "links", "w3m");
    private static final Set<String> INTERPRETERS = Set.of("python", "python3", "python2", "node", "nodejs", "deno", "bun", "perl",
            "ruby", "php");
    private static final Pattern NETWORK_CODE = Pattern.compile("urllib|requests\\.|import requests|http\\.client|httpx|aiohttp|socket"
            + "|fetch\\(|https?\\.(?:get|request)|net\\.(?:connect|Socket|createConnection)|XMLHttpRequest|LWP|HTTP::Tiny|IO::Socket"
            + "|Net::HTTP|open-uri|curl_init|file_get_contents\\(['\"]https?:|smtplib|ftplib|paramiko");
    private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?|ftp|wss?|ssh|git|tcp|udp|telnet)://(?:[^@/\\s'\"]*@)?(\\[[^\\]]+]|[^/:\\s'\"?#)]+)");
    private static final Pattern DEV_TCP = Pattern.compile("/dev/(?:tcp|udp)/([^/\\s'\"]+)");
    private static final Set<String> SHELLS = Set.of("sh", "bash", "zsh", "dash", "ksh", "fish");
    private static final Set<String> WRAPPERS = Set.of("sudo", "env", "time", "command", "exec", "nice", "stdbuf",
            "xargs", "builtin", "doas", "timeout");
    private static final Set<String> DETACHERS = Set.of("setsid", "nohup", "disown", "daemonize", "crontab", "at", "batch",
            "systemd-run", "launchctl", "screen", "tmux");
    private static final Set<String> WRITERS_ALL = Set.of("rm", "rmdir", "touch", "mkdir", "chmod", "chown", "chgrp", "truncate", "shred",
            "tee", "unlink", "mv", "sqlite3");
    /** A job put in the background ({@code cmd &}), not {@code &&}, {@code 2>&1} or {@code &>}. */
    private static final Pattern BACKGROUND = Pattern.compile("(?<![&>|<])&(?![&>])");
    private static final Set<String> WRITERS_LAST = Set.of("cp", "ln", "install", "rsync");
    private static final Set<String> GIT_READS = Set.of("status", "log", "diff", "show", "rev-parse", "ls-files", "ls-tree", "cat-file",
            "for-each-ref", "blame", "grep", "describe", "shortlog", "rev-list", "merge-base", "name-rev", "show-ref", "version", "help");

    private final Path worktree;
    private final Path home;
    private final Path checkout;

    /**
     * @param worktree the attempt's worktree: what the agent may read and write
     * @param home     what {@code ~} and {@code $HOME} stand for (the user's home)
     */
    public ToolCallAuditor(Path worktree, Path home) {
        this.worktree = Objects.requireNonNull(worktree, "worktree").toAbsolutePath().normalize();
        this.home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
        // A task's worktree lives at <checkout>/.ensemble/worktrees/<run>/<task>.
        Path c = null;
        for (Path p = this.worktree; p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().equals("worktrees") && p.getParent() != null
                    && p.getParent().getFileName() != null && p.getParent().getFileName().toString().equals(".ensemble")) {
                c = p.getParent().getParent();
                break;
            }
        }
        this.checkout = c;
    }

    /** What {@code ~} stands for. */
    public Path home() {
        return home;
    }

    /** The first flag among {@code calls}, or empty when none looks like an escape. */
    public Optional<Flag> audit(List<ToolCall> calls) {
        for (ToolCall call : calls) {
            Optional<Flag> flag = audit(call.name(), call.argumentsJson());
            if (flag.isPresent()) return flag;
        }
        return Optional.empty();
    }

    /** Flags one call, given its tool's name and its arguments (JSON, or a bare command line). */
    public Optional<Flag> audit(String tool, String argumentsJson) {
        String name = tool == null ? "" : tool;
        List<String> commands = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        JsonNode args;
        try {
            args = argumentsJson == null || argumentsJson.isBlank() ? null : JSON.readTree(argumentsJson);
        } catch (RuntimeException notJson) {
            args = null;
        }
        if (args == null || !(args.isObject() || args.isArray())) {
            if (argumentsJson != null) commands.add(argumentsJson);
        } else {
            collect(args, commands, paths);
        }
        boolean writes = WRITING_TOOL.matcher(name.toLowerCase(Locale.ROOT)).find();
        for (String path : paths) {
            Optional<Flag> flag = credentials(name, path).or(() -> writes ? writeOutside(name, path, "path " + path) : Optional.empty());
            if (flag.isPresent()) return flag;
        }
        for (String command : commands) {
            Optional<Flag> flag = credentials(name, command).or(() -> new ShellAudit(name).script(command, worktree));
            if (flag.isPresent()) return flag;
        }
        return Optional.empty();
    }

    private static void collect(JsonNode node, List<String> commands, List<String> paths) {
        if (node.isArray()) {
            for (JsonNode item : node) collect(item, commands, paths);
            return;
        }
        for (var field : node.properties()) {
            String key = field.getKey().toLowerCase(Locale.ROOT);
            JsonNode value = field.getValue();
            if (COMMAND_KEYS.contains(key) && value.isString()) {
                commands.add(value.asString());
            } else if (COMMAND_KEYS.contains(key) && value.isArray()) {
                // ["bash", "-lc", "curl …"] (Codex's shell and local_shell): the words, quoted back into one line.
                List<String> words = new ArrayList<>();
                value.forEach(w -> words.add(quote(w.asString(""))));
                commands.add(String.join(" ", words));
            } else if (PATH_KEYS.contains(key) && value.isString()) {
                paths.add(value.asString());
            } else if ((key.equals("input") || key.equals("patch")) && value.isString()) {
                Matcher m = PATCH_PATH.matcher(value.asString());
                while (m.find()) paths.add(m.group(1).strip());
            } else if ((value.isObject() || value.isArray())) {
                collect(value, commands, paths);
            }
        }
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** A credential file named anywhere in {@code text} (a path, a command line, inline code) that lies outside the worktree. */
    private Optional<Flag> credentials(String tool, String text) {
        Matcher m = CREDENTIAL.matcher(text);
        while (m.find()) {
            String whole = m.group(1) + m.group(2);
            int at = whole.lastIndexOf('@');
            // curl's @file, and the like: the path starts after the @.
            if (at >= 0 && at + 1 < whole.length() && "/~$".indexOf(whole.charAt(at + 1)) >= 0) whole = whole.substring(at + 1);
            if (whole.startsWith("/proc/") || whole.startsWith("/etc/")) return Optional.of(new Flag(Kind.CREDENTIALS, tool, whole));
            Optional<Path> resolved = resolve(whole, worktree);
            // A variable we cannot expand ($OUT/.env) is taken for outside: credentials are worth the false alarm.
            if (resolved.isEmpty() || !resolved.get().startsWith(worktree)) return Optional.of(new Flag(Kind.CREDENTIALS, tool, whole));
        }
        return Optional.empty();
    }

    Optional<Flag> writeOutside(String tool, String path, String evidence) {
        return writeOutside(tool, path, evidence, worktree);
    }

    Optional<Flag> writeOutside(String tool, String path, String evidence, Path cwd) {
        Optional<Path> target = resolve(path, cwd);
        if (target.isEmpty()) return Optional.empty();  // hidden behind a variable: not followed
        Path t = target.get();
        if (t.startsWith(worktree)) return Optional.empty();
        boolean climbs = path.startsWith("..") || path.contains("/..");
        boolean intoCheckout = checkout != null && t.startsWith(checkout);
        boolean scratch = t.startsWith("/tmp") || t.startsWith("/var/tmp") || t.startsWith("/dev");
        if (scratch && !climbs && !intoCheckout) return Optional.empty();
        return Optional.of(new Flag(Kind.WRITE_OUTSIDE, tool, evidence));
    }

    /** {@code path} as an absolute path ({@code ~} and {@code $HOME} expanded, relative to {@code cwd}); empty when another variable hides it. */
    Optional<Path> resolve(String path, Path cwd) {
        String p = path.strip();
        if (p.startsWith("file://")) p = p.substring("file://".length());
        if (p.equals("~") || p.startsWith("~/")) p = home + p.substring(1);
        else if (p.startsWith("$HOME")) p = home + p.substring("$HOME".length());
        else if (p.startsWith("${HOME}")) p = home + p.substring("${HOME}".length());
        if (p.contains("$") || p.contains("`") || p.isEmpty()) return Optional.empty();
        try {
            return Optional.of(cwd.resolve(p).normalize());
        } catch (RuntimeException invalid) {
            return Optional.empty();
        }
    }

    /** The worktree the agent may read and write. */
    public Path worktree() {
        return worktree;
    }

    /** Whether {@code host} is this machine: {@code localhost}, 127.0.0.0/8, {@code ::1}. */
    static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|]$", "");
        return h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    /** Every host named by a URL or {@code /dev/tcp} path in {@code text}. */
    static List<String> hosts(String text) {
        List<String> hosts = new ArrayList<>();
        Matcher url = URL.matcher(text);
        while (url.find()) hosts.add(url.group(1));
        Matcher tcp = DEV_TCP.matcher(text);
        while (tcp.find()) hosts.add(tcp.group(1));
        return hosts;
    }

    /** One command line's audit: split into simple commands (recursing into {@code sh -c}), each judged on its own. */
    private final class ShellAudit {
        private final String tool;
        private int depth;

        ShellAudit(String tool) {
            this.tool = tool;
        }

        Optional<Flag> script(String script, Path cwdAtStart) {
            if (++depth > 4) return Optional.empty();
            for (String host : hosts(script)) {
                if (script.contains("/dev/tcp/" + host) || script.contains("/dev/udp/" + host)) {
                    if (!loopback(host)) return Optional.of(new Flag(Kind.NETWORK, tool, "/dev/tcp to " + host));
                }
            }
            if (BACKGROUND.matcher(script).find()) {
                return Optional.of(new Flag(Kind.DETACH, tool, "a job put in the background with &"));
            }
            Path cwd = cwdAtStart;
            for (List<String> words : ShellWords.commands(script)) {
                Optional<Flag> flag = simple(words, cwd);
                if (flag.isPresent()) return flag;
                if (!words.isEmpty() && words.getFirst().equals("cd") && words.size() > 1) {
                    cwd = resolve(words.get(1), cwd).orElse(cwd);
                }
            }
            return Optional.empty();
        }

        private Optional<Flag> simple(List<String> all, Path cwd) {
            List<String> words = new ArrayList<>();
            // Redirections first: "> file", ">> file", "2> file", ">file".
            for (int i = 0; i < all.size(); i++) {
                String w = all.get(i);
                Matcher r = ShellWords.REDIRECT.matcher(w);
                if (r.matches()) {
                    String target = r.group(2).isEmpty() ? (i + 1 < all.size() ? all.get(++i) : "") : r.group(2);
                    if (!r.group(1).contains("<") && !target.startsWith("&")) {
                        Optional<Flag> flag = writeOutside(tool, target, "redirection to " + target, cwd);
                        if (flag.isPresent()) return flag;
                    }
                    continue;
                }
                words.add(w);
            }
            int at = 0;
            while (at < words.size() && (words.get(at).matches("[A-Za-z_][A-Za-z0-9_]*=.*") || WRAPPERS.contains(base(words.get(at)))
                    || (at > 0 && base(words.get(at - 1)).equals("timeout") && words.get(at).matches("[0-9.]+[smhd]?"))
                    || (at > 0 && WRAPPERS.contains(base(words.get(at - 1))) && words.get(at).startsWith("-")))) {
                at++;
            }
            if (at >= words.size()) return Optional.empty();
            String head = base(words.get(at));
            List<String> rest = words.subList(at + 1, words.size());
            if (DETACHERS.contains(head)) return Optional.of(new Flag(Kind.DETACH, tool, head));
            if (SHELLS.contains(head) || head.equals("eval")) {
                for (int i = 0; i < rest.size(); i++) {
                    String w = rest.get(i);
                    boolean inline = head.equals("eval") || (w.startsWith("-") && !w.startsWith("--") && w.contains("c"));
                    if (inline && (head.equals("eval") || i + 1 < rest.size())) {
                        String inner = head.equals("eval") ? String.join(" ", rest) : rest.get(i + 1);
                        return script(inner, cwd);
                    }
                }
                return Optional.empty();
            }
            if (NETWORK_CLIENTS.contains(head)) return network(head, rest);
            if (INTERPRETERS.contains(head.replaceAll("[0-9.]+$", "")) || INTERPRETERS.contains(head)) {
                String code = String.join(" ", rest);
                if (NETWORK_CODE.matcher(code).find()) {
                    List<String> hosts = hosts(code);
                    if (hosts.isEmpty() || !hosts.stream().allMatch(ToolCallAuditor::loopback)) {
                        return Optional.of(new Flag(Kind.NETWORK, tool, head + " code that opens a connection"
                                + (hosts.isEmpty() ? "" : " to " + hosts.getFirst())));
                    }
                }
                return Optional.empty();
            }
            if (head.equals("git")) return git(rest, cwd);
            List<String> operands = rest.stream().filter(w -> !w.startsWith("-")).toList();
            if (WRITERS_ALL.contains(head)) {
                for (String operand : operands) {
                    Optional<Flag> flag = writeOutside(tool, operand, head + " " + operand, cwd);
                    if (flag.isPresent()) return flag;
                }
            }
            if (WRITERS_LAST.contains(head) && !operands.isEmpty()) {
                List<String> targets = head.equals("ln") ? operands : List.of(operands.getLast());
                for (String operand : targets) {
                    // A link's target behind a variable may point anywhere: a link is where writes escape through.
                    if (head.equals("ln") && resolve(operand, cwd).isEmpty()) {
                        return Optional.of(new Flag(Kind.WRITE_OUTSIDE, tool, "ln to " + operand));
                    }
                    Optional<Flag> flag = writeOutside(tool, operand, head + " " + operand, cwd);
                    if (flag.isPresent()) return flag;
                }
            }
            if (head.equals("sed") && rest.stream().anyMatch(w -> w.startsWith("-i") || w.equals("--in-place"))) {
                for (String operand : operands.size() > 1 ? operands.subList(1, operands.size()) : List.<String>of()) {
                    Optional<Flag> flag = writeOutside(tool, operand, "sed -i " + operand, cwd);
                    if (flag.isPresent()) return flag;
                }
            }
            if (head.equals("dd")) {
                for (String w : rest) {
                    if (w.startsWith("of=")) {
                        Optional<Flag> flag = writeOutside(tool, w.substring(3), "dd " + w, cwd);
                        if (flag.isPresent()) return flag;
                    }
                }
            }
            return Optional.empty();
        }

        private Optional<Flag> network(String head, List<String> rest) {
            List<String> hosts = new ArrayList<>(hosts(String.join(" ", rest)));
            if (Set.of("ssh", "scp", "sftp", "rsync", "nc", "ncat", "netcat", "telnet", "ftp", "socat").contains(head)) {
                for (String w : rest) {
                    if (w.startsWith("-") || w.contains("://")) continue;
                    Matcher remote = Pattern.compile("^(?:[^@/\\s]+@)?(\\[[^\\]]+]|[A-Za-z0-9.-]+)(?::.*)?$").matcher(w);
                    boolean hostShaped = w.contains("@") || w.contains(":") || head.matches("ssh|nc|ncat|netcat|telnet|ftp");
                    if (remote.matches() && hostShaped && !w.matches("\\d+")) {
                        hosts.add(remote.group(1));
                        if (head.matches("ssh|nc|ncat|netcat|telnet|ftp")) break;  // the rest is the remote command or the port
                    }
                }
                if (head.equals("rsync") && hosts.isEmpty()) return Optional.empty();  // a local copy
            }
            if (hosts.isEmpty()) return Optional.of(new Flag(Kind.NETWORK, tool, head + " to an address it does not name plainly"));
            for (String host : hosts) {
                if (!loopback(host)) return Optional.of(new Flag(Kind.NETWORK, tool, head + " to " + host));
            }
            return Optional.empty();
        }

        private Optional<Flag> git(List<String> rest, Path cwd) {
            Path dir = cwd;
            int i = 0;
            while (i < rest.size() && rest.get(i).startsWith("-")) {
                String w = rest.get(i);
                if (w.equals("-C") && i + 1 < rest.size()) {
                    dir = resolve(rest.get(++i), dir).orElse(null);
                } else if (w.startsWith("--git-dir=") || w.startsWith("--work-tree=")) {
                    dir = resolve(w.substring(w.indexOf('=') + 1), cwd).orElse(null);
                } else if (w.equals("-c") && i + 1 < rest.size()) {
                    i++;
                }
                i++;
            }
            if (i >= rest.size()) return Optional.empty();
            String sub = rest.get(i);
            List<String> args = rest.subList(i + 1, rest.size());
            if (sub.equals("push")) {
                List<String> operands = args.stream().filter(w -> !w.startsWith("-")).toList();
                String remote = operands.isEmpty() ? "its default remote" : operands.getFirst();
                boolean local = remote.startsWith("/") || remote.startsWith(".") || remote.startsWith("file://");
                List<String> hosts = hosts(remote);
                if (!local && (hosts.isEmpty() || !hosts.stream().allMatch(ToolCallAuditor::loopback))) {
                    return Optional.of(new Flag(Kind.NETWORK, tool, "git push to " + remote));
                }
            }
            if (Set.of("clone", "fetch", "pull", "ls-remote").contains(sub)) {
                for (String host : hosts(String.join(" ", args))) {
                    if (!loopback(host)) return Optional.of(new Flag(Kind.NETWORK, tool, "git " + sub + " from " + host));
                }
            }
            if (!GIT_READS.contains(sub) && (dir == null || !dir.normalize().startsWith(worktree))) {
                return Optional.of(new Flag(Kind.WRITE_OUTSIDE, tool, "git " + sub + " in " + (dir == null ? "another repository" : dir)));
            }
            return Optional.empty();
        }
    }

    private static String base(String word) {
        int slash = word.lastIndexOf('/');
        return slash < 0 ? word : word.substring(slash + 1);
    }
}
