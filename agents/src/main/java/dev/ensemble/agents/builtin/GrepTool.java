package dev.ensemble.agents.builtin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * grep: a Java regular expression over the text files under a path, without following links or
 * entering .git. Results are bounded in count, line length and time: a pathological pattern the
 * model wrote is stopped by a deadline checked as the regex engine reads characters.
 */
final class GrepTool {
    private static final int MAX_LINE = 300;
    private static final Duration BUDGET = Duration.ofSeconds(10);

    private final WorkspacePaths paths;
    private final BuiltinSettings settings;

    GrepTool(WorkspacePaths paths, BuiltinSettings settings) {
        this.paths = paths;
        this.settings = settings;
    }

    ToolOutcome grep(Args args) {
        String regex = args.required("pattern");
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ToolError("grep: invalid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
        var base = paths.resolve(args.optional("path").orElse("."));
        if (!Files.exists(base.target())) throw new ToolError("grep: " + base.relative() + " does not exist");
        PathMatcher glob = args.optional("glob").filter(g -> !g.isBlank()).map(GrepTool::matcher).orElse(null);
        boolean globOnName = glob != null && !args.optional("glob").orElseThrow().contains("/");

        Search search = new Search(pattern, glob, globOnName, System.nanoTime() + BUDGET.toNanos());
        try {
            Files.walkFileTree(base.target(), search);
        } catch (IOException e) {
            throw new ToolError("grep: cannot search " + base.relative() + ": " + e.getMessage());
        } catch (OutOfTime e) {
            search.notes.add("stopped after " + BUDGET.toSeconds() + " s; use a simpler pattern or a narrower path");
        }
        if (search.skippedLarge > 0) {
            search.notes.add(search.skippedLarge + " files over " + settings.maxReadBytes() + " bytes not searched");
        }
        if (search.lines.isEmpty() && search.notes.isEmpty()) return ToolOutcome.ok("no matches");
        StringBuilder out = new StringBuilder(String.join("\n", search.lines));
        for (String note : search.notes) out.append(out.isEmpty() ? "" : "\n").append('[').append(note).append(']');
        return ToolOutcome.ok(Texts.bound(out.toString(), settings.maxOutputChars()));
    }

    private static PathMatcher matcher(String glob) {
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new ToolError("grep: invalid glob '" + glob + "': " + e.getMessage());
        }
    }

    private final class Search extends SimpleFileVisitor<Path> {
        final Pattern pattern;
        final PathMatcher glob;
        final boolean globOnName;
        final long deadline;
        final List<String> lines = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        int skippedLarge;

        Search(Pattern pattern, PathMatcher glob, boolean globOnName, long deadline) {
            this.pattern = pattern;
            this.glob = glob;
            this.globOnName = globOnName;
            this.deadline = deadline;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            Path name = dir.getFileName();
            return name != null && name.toString().equalsIgnoreCase(".git") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (!attrs.isRegularFile()) return FileVisitResult.CONTINUE;
            String relative = paths.relative(file);
            if (glob != null && !glob.matches(globOnName ? file.getFileName() : Path.of(relative))) return FileVisitResult.CONTINUE;
            if (attrs.size() > settings.maxReadBytes()) {
                skippedLarge++;
                return FileVisitResult.CONTINUE;
            }
            byte[] bytes = Files.readAllBytes(file);
            if (Texts.looksBinary(bytes)) return FileVisitResult.CONTINUE;
            String[] text = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < text.length; i++) {
                Matcher m = pattern.matcher(new Deadlined(text[i], deadline));
                if (!m.find()) continue;
                if (lines.size() >= settings.maxGrepMatches()) {
                    notes.add("stopped at " + settings.maxGrepMatches() + " matches; narrow the pattern, path or glob");
                    return FileVisitResult.TERMINATE;
                }
                lines.add(relative + ":" + (i + 1) + ": " + Texts.start(text[i].strip(), MAX_LINE));
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
        }

    }

    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super("grep ran out of time", null, false, false);
        }
    }

    /** A line whose every read checks the deadline, so catastrophic backtracking ends. */
    private record Deadlined(String text, long deadline) implements CharSequence {
        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (System.nanoTime() > deadline) throw new OutOfTime();
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Deadlined(text.substring(start, end), deadline);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
