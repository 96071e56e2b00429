package dev.ensemble.engine.plan;

import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.GitException;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.llm.TokenEstimator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the planner sees of the repository, within a token budget: the file tree (from
 * {@code git ls-files}, else a walk), then key files whole — READMEs, build files — then small
 * sources, smallest first, while they fit. A long-context model gets a larger budget ({@link
 * #budgetFor}) and so more of the code. Files that do not fit whole are left out, never cut.
 *
 * @param tree    the listed paths, one a line (bounded: a note says how many were left out)
 * @param files   the files given whole
 * @param tokens  the estimated tokens of {@link #render()}
 * @param budget  the budget it was packed for
 */
public record RepoPack(String tree, List<PackedFile> files, int tokens, int budget) {
    /** One file given whole. */
    public record PackedFile(String path, String content) {}

    private static final Set<String> KEY_FILES = Set.of("readme.md", "readme", "readme.txt", "readme.rst", "pom.xml",
            "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "package.json", "pyproject.toml",
            "setup.py", "requirements.txt", "go.mod", "cargo.toml", "makefile", "cmakelists.txt", "ensemble.yaml", "agents.md");
    private static final long MAX_FILE_BYTES = 64 * 1024;

    public RepoPack {
        files = List.copyOf(files);
    }

    /**
     * The pack budget for a model: half of what its context window leaves after its answer
     * (at most a quarter of the window) and room for the prompt; at least 1,000 tokens.
     */
    public static int budgetFor(ModelSpec model) {
        int window = model.contextWindow();
        int answer = Math.min(model.maxOutputTokens(), window / 4);
        return Math.max(1_000, (window - answer - 2_000) / 2);
    }

    public static RepoPack build(Path root, int budget) {
        List<String> paths = listFiles(root);
        int used = TokenEstimator.count("Repository files:\n") + 8;
        // The tree takes at most a third of the budget: the files themselves say more.
        StringBuilder tree = new StringBuilder();
        int treeBudget = budget / 3;
        int listed = 0;
        for (String path : paths) {
            int cost = TokenEstimator.count(path + "\n");
            if (used + cost > treeBudget) break;
            tree.append(path).append('\n');
            used += cost;
            listed++;
        }
        if (listed < paths.size()) {
            String note = "(" + (paths.size() - listed) + " more files not listed)\n";
            tree.append(note);
            used += TokenEstimator.count(note);
        }
        List<PackedFile> packed = new ArrayList<>();
        for (String path : ordered(root, paths)) {
            String content = read(root.resolve(path));
            if (content == null) continue;
            int cost = TokenEstimator.count(section(path, content));
            if (used + cost > budget) continue;
            packed.add(new PackedFile(path, content));
            used += cost;
        }
        RepoPack pack = new RepoPack(tree.toString(), packed, 0, budget);
        return new RepoPack(pack.tree, packed, TokenEstimator.count(pack.render()), budget);
    }

    /** The text given to the planner. */
    public String render() {
        StringBuilder text = new StringBuilder("Repository files:\n").append(tree);
        for (PackedFile file : files) text.append(section(file.path(), file.content()));
        return text.toString();
    }

    private static String section(String path, String content) {
        return "\n--- " + path + " ---\n" + content + (content.endsWith("\n") ? "" : "\n");
    }

    /** Key files first (shallowest first), then the rest smallest first. */
    private static List<String> ordered(Path root, List<String> paths) {
        List<String> key = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String path : paths) {
            String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
            (KEY_FILES.contains(name) ? key : rest).add(path);
        }
        key.sort(Comparator.comparingInt((String p) -> p.split("/").length).thenComparing(p -> p));
        rest.sort(Comparator.comparingLong((String p) -> size(root.resolve(p))).thenComparing(p -> p));
        List<String> all = new ArrayList<>(key);
        all.addAll(rest);
        return all;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Text of a small, non-binary file; null otherwise. */
    private static String read(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE_BYTES) return null;
            byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i < Math.min(bytes.length, 8192); i++) if (bytes[i] == 0) return null;
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** Tracked and untracked-but-not-ignored files from git; a plain walk where git cannot answer. */
    static List<String> listFiles(Path root) {
        try {
            // ensemble's hardened git: a planted config or .gitattributes runs nothing here.
            Git.Result listed = Git.in(root).withTimeout(java.time.Duration.ofSeconds(10))
                    .exec("ls-files", "-z", "--cached", "--others", "--exclude-standard");
            if (listed.ok()) {
                return listed.fields().stream().filter(p -> !p.isBlank() && !p.startsWith(".ensemble/")).distinct().sorted().toList();
            }
        } catch (GitException e) {
            // No git: walk instead.
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith(".git/") && !p.startsWith(".ensemble/")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
