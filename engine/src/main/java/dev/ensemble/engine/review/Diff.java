package dev.ensemble.engine.review;

import dev.ensemble.llm.TokenEstimator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a review looks at: a unified diff read file by file ({@link #parse}), or whole files shown
 * as added ({@link #wholeFiles}), so that both reach the models in one shape with true line numbers.
 *
 * @param description what the diff is, for people ("changes since HEAD", "staged changes")
 */
public record Diff(String description, List<DiffFile> files) {
    public Diff {
        files = List.copyOf(files);
    }

    public boolean isEmpty() {
        return files.isEmpty();
    }

    public Set<String> paths() {
        Set<String> paths = new LinkedHashSet<>();
        for (DiffFile file : files) paths.add(file.path());
        return paths;
    }

    public String text() {
        StringBuilder text = new StringBuilder();
        for (DiffFile file : files) text.append(file.text());
        return text.toString();
    }

    /** Reads {@code git diff} output (any unified diff whose files start with {@code diff --git}). */
    public static Diff parse(String description, String unified) {
        List<DiffFile> files = new ArrayList<>();
        List<String> lines = unified.lines().toList();
        int i = 0;
        while (i < lines.size()) {
            if (!lines.get(i).startsWith("diff --git ")) {
                i++;
                continue;
            }
            StringBuilder header = new StringBuilder();
            String gitLine = lines.get(i);
            String newPath = null;
            String oldPath = null;
            header.append(gitLine).append('\n');
            i++;
            while (i < lines.size() && !lines.get(i).startsWith("@@") && !lines.get(i).startsWith("diff --git ")) {
                String line = lines.get(i);
                if (line.startsWith("+++ ")) newPath = path(line.substring(4));
                else if (line.startsWith("--- ")) oldPath = path(line.substring(4));
                else if (line.startsWith("rename to ")) newPath = line.substring("rename to ".length());
                header.append(line).append('\n');
                i++;
            }
            List<Hunk> hunks = new ArrayList<>();
            while (i < lines.size() && lines.get(i).startsWith("@@")) {
                String hunkHeader = lines.get(i++);
                List<String> body = new ArrayList<>();
                while (i < lines.size() && !lines.get(i).startsWith("@@") && !lines.get(i).startsWith("diff --git ")) {
                    body.add(lines.get(i++));
                }
                hunks.add(Hunk.of(hunkHeader, body));
            }
            String path = newPath != null ? newPath : oldPath != null ? oldPath : pathFromGitLine(gitLine);
            files.add(new DiffFile(path, header.toString(), hunks));
        }
        return new Diff(description, files);
    }

    /** Whole files, each shown as a new file, so a model reviews all of it with its real line numbers. */
    public static Diff wholeFiles(String description, List<WholeFile> contents) {
        List<DiffFile> files = new ArrayList<>();
        for (WholeFile file : contents) {
            List<String> body = file.content().lines().map(line -> "+" + line).toList();
            if (body.isEmpty()) continue;
            String header = "--- /dev/null\n+++ b/" + file.path() + "\n";
            files.add(new DiffFile(file.path(), header, List.of(new Hunk("@@ -0,0 +1," + body.size() + " @@", 0, 1, body))));
        }
        return new Diff(description, files);
    }

    /** A file's path and content, for {@link #wholeFiles}. */
    public record WholeFile(String path, String content) {}

    /**
     * Cuts the diff into parts of at most {@code budget} tokens each, along file boundaries where a
     * file fits, else along hunk boundaries (each part repeats the file's header), else between
     * lines of a hunk. Small files share a part.
     *
     * @throws IllegalArgumentException when the budget cannot hold even a file header and a line
     */
    public List<DiffChunk> split(int budget) {
        List<Piece> pieces = new ArrayList<>();
        for (DiffFile file : files) {
            String whole = file.text();
            int wholeTokens = TokenEstimator.count(whole);
            if (wholeTokens <= budget) {
                pieces.add(new Piece(file.path(), whole, wholeTokens));
                continue;
            }
            int headerTokens = TokenEstimator.count(file.header());
            int room = budget - headerTokens;
            if (room < 48) {
                throw new IllegalArgumentException("a part of at most " + budget + " tokens cannot hold " + file.path()
                        + "'s header and a few lines: the model's context window is too small for this review");
            }
            StringBuilder current = new StringBuilder(file.header());
            int used = headerTokens;
            boolean hasHunk = false;
            for (Hunk hunk : file.hunks()) {
                for (Hunk part : hunk.splitToFit(room)) {
                    String text = part.text();
                    int cost = TokenEstimator.count(text);
                    if (hasHunk && used + cost > budget) {
                        pieces.add(new Piece(file.path(), current.toString(), used));
                        current = new StringBuilder(file.header());
                        used = headerTokens;
                    }
                    current.append(text);
                    used += cost;
                    hasHunk = true;
                }
            }
            pieces.add(new Piece(file.path(), current.toString(), used));
        }
        List<StringBuilder> texts = new ArrayList<>();
        List<LinkedHashSet<String>> paths = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();
        for (Piece piece : pieces) {
            int last = texts.size() - 1;
            if (last >= 0 && tokens.get(last) + piece.tokens() <= budget) {
                texts.get(last).append(piece.text());
                paths.get(last).add(piece.path());
                tokens.set(last, tokens.get(last) + piece.tokens());
            } else {
                texts.add(new StringBuilder(piece.text()));
                paths.add(new LinkedHashSet<>(List.of(piece.path())));
                tokens.add(piece.tokens());
            }
        }
        List<DiffChunk> chunks = new ArrayList<>();
        for (int c = 0; c < texts.size(); c++) {
            chunks.add(new DiffChunk(c + 1, texts.size(), texts.get(c).toString(), List.copyOf(paths.get(c)), tokens.get(c)));
        }
        return chunks;
    }

    private record Piece(String path, String text, int tokens) {}

    /** "b/src/A.java" → "src/A.java"; "/dev/null" → null; a quoted path (odd characters) unquoted. */
    private static String path(String raw) {
        String p = raw.strip();
        int tab = p.indexOf('\t');
        if (tab >= 0) p = p.substring(0, tab);
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) p = p.substring(1, p.length() - 1);
        if (p.equals("/dev/null")) return null;
        if (p.startsWith("a/") || p.startsWith("b/")) p = p.substring(2);
        return p;
    }

    /** For a header without ---/+++ (binary, mode change): "diff --git a/x b/x" → "x". */
    private static String pathFromGitLine(String gitLine) {
        String rest = gitLine.substring("diff --git ".length());
        int b = rest.lastIndexOf(" b/");
        return b >= 0 ? rest.substring(b + 3) : rest;
    }
}
