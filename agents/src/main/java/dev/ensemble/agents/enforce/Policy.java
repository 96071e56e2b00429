package dev.ensemble.agents.enforce;

import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules every agent's change set is held to, whatever the agent (config section {@code policy:}).
 *
 * @param protectedPaths         globs no task may touch, even one that owns them
 * @param allowedTopLevelFolders new top-level folders any task may create; otherwise only a task
 *                               whose owned globs name the folder literally may
 * @param copyIgnored            git-ignored files of the main tree copied into each worktree (e.g. {@code .env})
 * @param maxFileBytes           largest new or rewritten file accepted
 * @param allowBinary            whether binary content (a NUL in the first 8 KB) is accepted anywhere
 * @param binaryAllowed          globs where binary content is accepted when {@code allowBinary} is off
 * @param guardMainTree          whether writes into the main working tree during a task reject it
 *                               (turn off only when someone edits the checkout while tasks run)
 * @param watchIgnored           git-ignored files of the main tree, besides {@code .env*} and
 *                               {@code .ensemble/}, that each attempt's guard snapshots and restores
 * @param watchHome              files of the user's home (globs relative to it) that each attempt's
 *                               guard snapshots and restores: where a write outside the repository
 *                               buys persistence or escalation ({@link #DEFAULT_WATCH_HOME})
 */
public record Policy(List<String> protectedPaths, List<String> allowedTopLevelFolders, List<String> copyIgnored,
                     long maxFileBytes, boolean allowBinary, List<String> binaryAllowed, boolean guardMainTree,
                     List<String> watchIgnored, List<String> watchHome) {

    /** {@code policy.watch_home}'s default (the README lists the same): shell start-up, ssh, git, package managers, clouds, CLIs. */
    public static final List<String> DEFAULT_WATCH_HOME = List.of(
            ".ssh/**", ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv", ".zprofile",
            ".zlogin", ".config/fish/config.fish", ".gitconfig", ".git-credentials", ".config/git/**", ".aws/**", ".netrc",
            ".npmrc", ".yarnrc", ".pypirc", ".config/pip/**", ".docker/config.json", ".kube/config", ".config/gcloud/*.json",
            ".config/gcloud/configurations/**", ".config/autostart/**", ".config/systemd/user/**", ".local/bin/**",
            ".claude/settings.json", ".claude/settings.local.json", ".codex/config.toml", ".gemini/settings.json",
            ".config/opencode/**", ".continue/config.*");

    /** With the default watched home files. */
    public Policy(List<String> protectedPaths, List<String> allowedTopLevelFolders, List<String> copyIgnored,
                  long maxFileBytes, boolean allowBinary, List<String> binaryAllowed, boolean guardMainTree,
                  List<String> watchIgnored) {
        this(protectedPaths, allowedTopLevelFolders, copyIgnored, maxFileBytes, allowBinary, binaryAllowed, guardMainTree, watchIgnored,
                DEFAULT_WATCH_HOME);
    }

    /** Without extra watched ignored files. */
    public Policy(List<String> protectedPaths, List<String> allowedTopLevelFolders, List<String> copyIgnored,
                  long maxFileBytes, boolean allowBinary, List<String> binaryAllowed, boolean guardMainTree) {
        this(protectedPaths, allowedTopLevelFolders, copyIgnored, maxFileBytes, allowBinary, binaryAllowed, guardMainTree, List.of());
    }

    public static final List<String> DEFAULT_PROTECTED = List.of(
            ".git/**", ".ensemble/**",
            ".github/**", ".gitlab-ci.yml", ".ci/**", ".circleci/**", "Jenkinsfile",
            "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/Cargo.lock", "**/poetry.lock",
            "**/go.sum", "**/Gemfile.lock", "**/composer.lock", "**/*.lock");
    public static final long DEFAULT_MAX_FILE_BYTES = 5L * 1024 * 1024;

    public static final Policy DEFAULT = new Policy(DEFAULT_PROTECTED, List.of(), List.of(), DEFAULT_MAX_FILE_BYTES,
            false, List.of(), true);

    private static final Set<String> KEYS = Set.of("protected", "protected_extra", "allowed_top_level_folders",
            "copy_ignored", "max_file_size", "allow_binary", "binary_allowed", "guard_main_tree",
            "runaway",  // policy.runaway is the gateway's (RunawayLimits)
            "approve_paths",  // read by ApprovePaths
            // read by dev.ensemble.agents.process.SandboxPolicy
            "sandbox", "network", "judge_network",
            "watch_ignored", "watch_home");
    private static final Pattern KEYED = Pattern.compile("(policy\\.[a-z_]+(?:\\[\\d+])?): (.*)", Pattern.DOTALL);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib)?");

    public Policy {
        protectedPaths = List.copyOf(protectedPaths);
        allowedTopLevelFolders = List.copyOf(allowedTopLevelFolders);
        copyIgnored = List.copyOf(copyIgnored);
        binaryAllowed = List.copyOf(binaryAllowed);
        watchIgnored = List.copyOf(watchIgnored);
        watchHome = List.copyOf(watchHome);
        if (maxFileBytes <= 0) throw new IllegalArgumentException("max file size must be positive");
        for (String folder : allowedTopLevelFolders) {
            if (folder.isBlank() || folder.contains("/") || folder.equals("..") || folder.equals(".")) {
                throw new IllegalArgumentException("allowed top-level folder must be one plain name: '" + folder + "'");
            }
        }
        for (List<String> globs : List.of(protectedPaths, copyIgnored, binaryAllowed, watchIgnored, watchHome)) Glob.all(globs);
    }

    public Policy withProtectedPaths(List<String> globs) {
        return new Policy(globs, allowedTopLevelFolders, copyIgnored, maxFileBytes, allowBinary, binaryAllowed, guardMainTree, watchIgnored, watchHome);
    }

    public Policy withAllowedTopLevelFolders(List<String> folders) {
        return new Policy(protectedPaths, folders, copyIgnored, maxFileBytes, allowBinary, binaryAllowed, guardMainTree, watchIgnored, watchHome);
    }

    public Policy withCopyIgnored(List<String> globs) {
        return new Policy(protectedPaths, allowedTopLevelFolders, globs, maxFileBytes, allowBinary, binaryAllowed, guardMainTree, watchIgnored, watchHome);
    }

    public Policy withMaxFileBytes(long bytes) {
        return new Policy(protectedPaths, allowedTopLevelFolders, copyIgnored, bytes, allowBinary, binaryAllowed, guardMainTree, watchIgnored, watchHome);
    }

    public Policy withBinary(boolean allowed, List<String> globs) {
        return new Policy(protectedPaths, allowedTopLevelFolders, copyIgnored, maxFileBytes, allowed, globs, guardMainTree, watchIgnored, watchHome);
    }

    public Policy withWatchIgnored(List<String> globs) {
        return new Policy(protectedPaths, allowedTopLevelFolders, copyIgnored, maxFileBytes, allowBinary, binaryAllowed, guardMainTree,
                globs, watchHome);
    }

    public Policy withWatchHome(List<String> globs) {
        return new Policy(protectedPaths, allowedTopLevelFolders, copyIgnored, maxFileBytes, allowBinary, binaryAllowed, guardMainTree,
                watchIgnored, globs);
    }

    public Policy withGuardMainTree(boolean guard) {
        return new Policy(protectedPaths, allowedTopLevelFolders, copyIgnored, maxFileBytes, allowBinary, binaryAllowed, guard, watchIgnored, watchHome);
    }

    /**
     * The policy from a parsed {@code policy:} config section (snake_case keys; a missing key keeps
     * its default). {@code protected} replaces the default protected globs, {@code protected_extra}
     * adds to them; {@code max_file_size} is bytes or a size such as {@code 5MB} or {@code 512KiB}.
     * Errors name the key: {@code policy.max_file_size: expected ...}.
     *
     * @throws IllegalArgumentException on an unknown key or a value of the wrong shape
     */
    public static Policy fromMap(Map<String, ?> section) {
        if (section == null || section.isEmpty()) return DEFAULT;
        for (String key : section.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("policy." + key + ": unknown key (known: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        List<String> protectedPaths = new ArrayList<>(section.containsKey("protected")
                ? globs(section, "protected") : DEFAULT_PROTECTED);
        if (section.containsKey("protected_extra")) protectedPaths.addAll(globs(section, "protected_extra"));
        List<String> folders = section.containsKey("allowed_top_level_folders")
                ? strings(section, "allowed_top_level_folders") : List.of();
        for (int i = 0; i < folders.size(); i++) {
            String f = folders.get(i).endsWith("/") ? folders.get(i).substring(0, folders.get(i).length() - 1) : folders.get(i);
            if (f.isBlank() || f.contains("/") || f.equals("..") || f.equals(".")) {
                throw new IllegalArgumentException("policy.allowed_top_level_folders[" + i + "]: expected one folder name, got '"
                        + folders.get(i) + "'");
            }
            folders.set(i, f);
        }
        List<String> copyIgnored = section.containsKey("copy_ignored") ? globs(section, "copy_ignored") : List.of();
        long maxBytes = section.containsKey("max_file_size") ? size(section.get("max_file_size")) : DEFAULT_MAX_FILE_BYTES;
        boolean allowBinary = section.containsKey("allow_binary") && bool(section, "allow_binary");
        List<String> binaryAllowed = section.containsKey("binary_allowed") ? globs(section, "binary_allowed") : List.of();
        boolean guard = !section.containsKey("guard_main_tree") || bool(section, "guard_main_tree");
        List<String> watchIgnored = section.containsKey("watch_ignored") ? globs(section, "watch_ignored") : List.of();
        List<String> watchHome = section.containsKey("watch_home") ? globs(section, "watch_home") : DEFAULT_WATCH_HOME;
        return new Policy(protectedPaths, folders, copyIgnored, maxBytes, allowBinary, binaryAllowed, guard, watchIgnored, watchHome);
    }

    /**
     * As {@link #fromMap}, from the merged {@code policy:} section, with the error placed by {@code
     * locator} at the file, line and key where the value was written.
     *
     * @throws ConfigException naming {@code policy.<key>} (and the list index when one item is wrong)
     */
    public static Policy load(JsonNode section, ConfigLocator locator) {
        if (section == null || section.isNull() || section.isMissingNode()) return DEFAULT;
        if (!section.isObject()) throw new ConfigException(List.of(locator.error("policy", "expected a mapping")));
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = MAPPER.convertValue(section, Map.class);
            return fromMap(map);
        } catch (IllegalArgumentException e) {
            // fromMap's messages start with the key they are about: "policy.copy_ignored[2]: ..."
            String message = String.valueOf(e.getMessage());
            Matcher keyed = KEYED.matcher(message);
            String key = keyed.matches() ? keyed.group(1) : "policy";
            throw new ConfigException(List.of(locator.error(key, keyed.matches() ? keyed.group(2) : message)));
        }
    }

    private static List<String> strings(Map<String, ?> section, String key) {
        Object value = section.get(key);
        if (value instanceof String s) return new ArrayList<>(List.of(s));
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("policy." + key + ": expected a list of strings, got " + describe(value));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isBlank()) {
                throw new IllegalArgumentException("policy." + key + "[" + i + "]: expected a non-empty string, got "
                        + describe(list.get(i)));
            }
            out.add(s.strip());
        }
        return out;
    }

    private static List<String> globs(Map<String, ?> section, String key) {
        List<String> globs = strings(section, key);
        for (int i = 0; i < globs.size(); i++) {
            try {
                Glob.of(globs.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("policy." + key + "[" + i + "]: " + e.getMessage(), e);
            }
        }
        return globs;
    }

    private static boolean bool(Map<String, ?> section, String key) {
        if (section.get(key) instanceof Boolean b) return b;
        throw new IllegalArgumentException("policy." + key + ": expected true or false, got " + describe(section.get(key)));
    }

    private static long size(Object value) {
        if (value instanceof Number n && n.doubleValue() > 0 && n.doubleValue() == Math.floor(n.doubleValue())) {
            return n.longValue();
        }
        if (value instanceof String s) {
            Matcher m = SIZE.matcher(s.strip().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
                    case "kb", "kib" -> 1024L;
                    case "mb", "mib" -> 1024L * 1024;
                    case "gb", "gib" -> 1024L * 1024 * 1024;
                    default -> 1L;
                };
                long bytes = (long) (amount * unit);
                if (bytes > 0) return bytes;
            }
        }
        throw new IllegalArgumentException("policy.max_file_size: expected a positive number of bytes or a size like 5MB, got "
                + describe(value));
    }

    private static String describe(Object value) {
        if (value == null) return "nothing";
        if (value instanceof String s) return "'" + s + "'";
        if (value instanceof List<?>) return "a list";
        if (value instanceof Map<?, ?>) return "a map";
        return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }
}
