package dev.ensemble.agents.workspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What makes ensemble's own git calls run none of an agent's configuration. An agent can write the
 * repository's {@code .git/config}, a file it includes, {@code ~/.gitconfig} and {@code .gitattributes};
 * git would then run the agent's filter, diff, merge or hook commands with ensemble's environment.
 *
 * <ul>
 *   <li>No global or system configuration or attributes ({@code GIT_CONFIG_GLOBAL=/dev/null},
 *       {@code GIT_CONFIG_NOSYSTEM}, {@code GIT_ATTR_NOSYSTEM}, {@code core.attributesFile=/dev/null}).</li>
 *   <li>The repository's own configuration cannot be switched off in git 2.39, so every key in it
 *       (includes followed) that names a command is overridden on the command line, where {@code -c}
 *       wins: {@code filter.*.clean|smudge|process}, {@code diff.*.textconv|command},
 *       {@code merge.*.driver}; and a fixed list (hooks, fsmonitor, pager, editor, ssh, transports).
 *       External diff commands ({@code diff.external}, {@code diff.*.command}) cannot be emptied that
 *       way: every command that prints patches gets {@code --no-ext-diff --no-textconv} instead.</li>
 *   <li>An environment of a few named variables only: no provider key, no {@code GIT_*} of the caller.</li>
 * </ul>
 */
final class GitSafety {
    private GitSafety() {}

    /** Always given: the commands git could otherwise take from any configuration. */
    static final List<String> FIXED = List.of(
            "-c", "core.hooksPath=/dev/null",
            "-c", "core.fsmonitor=false",
            "-c", "core.attributesFile=/dev/null",
            "-c", "core.sshCommand=",
            "-c", "core.pager=cat",
            "-c", "core.editor=true",
            "-c", "core.askPass=",
            "-c", "core.alternateRefsCommand=",
            "-c", "sequence.editor=true",
            "-c", "credential.helper=",
            "-c", "protocol.allow=never",
            "-c", "submodule.recurse=false",
            "-c", "commit.gpgSign=false",
            "-c", "tag.gpgSign=false",
            "-c", "gc.auto=0",
            "-c", "maintenance.auto=false",
            "-c", "color.ui=false",
            "-c", "core.quotePath=false",
            "-c", "advice.detachedHead=false");

    /** Commands that can print a patch, and so run an external diff or a textconv: given {@link #NO_DRIVERS}. */
    static final Set<String> PATCH_COMMANDS = Set.of("diff", "log", "show", "format-patch", "whatchanged", "diff-tree",
            "diff-index", "diff-files", "range-diff");
    static final List<String> NO_DRIVERS = List.of("--no-ext-diff", "--no-textconv");

    /** The variables a git call keeps from ensemble's environment; everything else (keys first) is dropped. */
    private static final Set<String> KEPT = Set.of("PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "SYSTEMROOT",
            "XDG_CONFIG_HOME");
    /** Of the caller's {@code GIT_*}: only where a hook's git puts its index and repository. */
    private static final Set<String> CALLER_GIT = Set.of("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_PREFIX");

    /** The environment of a git call, built from nothing but {@link #KEPT}. */
    static void environment(Map<String, String> env, boolean callerGitEnvironment) {
        Map<String, String> inherited = Map.copyOf(env);
        env.clear();
        inherited.forEach((k, v) -> {
            if (KEPT.contains(k) || (callerGitEnvironment && CALLER_GIT.contains(k))) env.put(k, v);
        });
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_ATTR_NOSYSTEM", "1");
        env.put("GIT_NO_REPLACE_OBJECTS", "1");
        env.put("GIT_AUTHOR_NAME", Git.IDENTITY_NAME);
        env.put("GIT_AUTHOR_EMAIL", Git.IDENTITY_EMAIL);
        env.put("GIT_COMMITTER_NAME", Git.IDENTITY_NAME);
        env.put("GIT_COMMITTER_EMAIL", Git.IDENTITY_EMAIL);
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_OPTIONAL_LOCKS", "0");
        env.put("GIT_PAGER", "cat");
        env.put("GIT_EDITOR", "true");
        env.put("LC_ALL", "C");
    }

    /** Overrides for the command-running keys the repository's configuration holds; cached per config file state. */
    static List<String> neutralizers(Path workDir, List<String> location, boolean callerGitEnvironment) {
        Optional<List<Path>> configs = configFiles(workDir, location);
        String key = configs.map(files -> stamp(files)).orElse(null);
        if (key != null && !callerGitEnvironment) {
            List<String> cached = CACHE.get(key);
            if (cached != null) return cached;
        }
        Listing listing = list(workDir, location, callerGitEnvironment);
        // A file that includes another can change without its own stamp changing: never cached.
        if (key != null && !listing.includes() && !callerGitEnvironment) {
            if (CACHE.size() > 256) CACHE.clear();
            CACHE.put(key, listing.overrides());
        }
        return listing.overrides();
    }

    private static final Map<String, List<String>> CACHE = new ConcurrentHashMap<>();

    private record Listing(List<String> overrides, boolean includes) {}

    /** {@code git config --list --name-only} under the same hardened environment: names only, no value is read here. */
    private static Listing list(Path workDir, List<String> location, boolean callerGitEnvironment) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(location);
        command.addAll(List.of("config", "--list", "--name-only", "-z"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        environment(builder.environment(), callerGitEnvironment);
        List<String> overrides = new ArrayList<>();
        boolean includes = false;
        try {
            Process process = builder.start();
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                out = buffer.toByteArray();
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
            for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.startsWith("include.") || lower.startsWith("includeif.")) includes = true;
                override(name, lower).ifPresent(value -> {
                    overrides.add("-c");
                    overrides.add(name + "=" + value);
                });
            }
        } catch (IOException e) {
            // git cannot even list: the command itself will fail and say why.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Listing(List.copyOf(overrides), includes);
    }

    /** The value that disarms a key naming a command; empty for a harmless key. */
    static Optional<String> override(String name, String lower) {
        int first = lower.indexOf('.');
        int last = lower.lastIndexOf('.');
        if (first < 0 || first == last) return Optional.empty();
        String section = lower.substring(0, first);
        String variable = lower.substring(last + 1);
        return switch (section) {
            case "filter" -> switch (variable) {
                case "clean", "smudge", "process" -> Optional.of("");
                case "required" -> Optional.of("false");
                default -> Optional.empty();
            };
            // An empty diff command is an error to git, not "none": those are off through --no-ext-diff (see PATCH_COMMANDS).
            case "diff" -> variable.equals("textconv") ? Optional.of("") : Optional.empty();
            // A merge driver that fails makes the path a conflict: nothing runs, nothing lands unmerged.
            case "merge" -> variable.equals("driver") ? Optional.of("false") : Optional.empty();
            default -> Optional.empty();
        };
    }

    /**
     * The configuration files that can hold a repository's keys for {@code workDir}: its common
     * {@code config} and the worktree's {@code config.worktree}. Empty where they cannot be found
     * cheaply (the listing then runs every time).
     */
    private static Optional<List<Path>> configFiles(Path workDir, List<String> location) {
        Path gitDir = null;
        for (String arg : location) {
            if (arg.startsWith("--git-dir=")) gitDir = Path.of(arg.substring("--git-dir=".length()));
        }
        if (gitDir == null) {
            for (Path dir = workDir.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                Path dotGit = dir.resolve(".git");
                if (Files.exists(dotGit, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        gitDir = WorkspaceManager.resolveGitDir(dotGit);
                    } catch (RuntimeException e) {
                        return Optional.empty();
                    }
                    break;
                }
            }
        }
        if (gitDir == null) return Optional.empty();
        Path common = gitDir;
        Path commondir = gitDir.resolve("commondir");
        try {
            if (Files.isRegularFile(commondir)) common = gitDir.resolve(Files.readString(commondir).strip()).normalize();
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(List.of(common.resolve("config"), gitDir.resolve("config.worktree")));
    }

    private static String stamp(List<Path> files) {
        StringBuilder key = new StringBuilder();
        for (Path file : files) {
            key.append(file).append('|');
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Object ctime = Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
                key.append(a.size()).append(',').append(a.lastModifiedTime().toMillis()).append(',').append(ctime)
                        .append(',').append(a.fileKey());
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                key.append("absent");
            }
            key.append(';');
        }
        return key.toString();
    }
}
