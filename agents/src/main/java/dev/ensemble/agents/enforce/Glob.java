package dev.ensemble.agents.enforce;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A path glob over repository-relative paths with {@code /} separators: {@code **} spans any
 * number of folders (none included), {@code *} and {@code ?} stay within one segment,
 * {@code [abc]} is a character class. A pattern without wildcards is a path that owns itself and
 * everything under it ({@code src/auth} matches {@code src/auth/login.py}); a leading {@code ./}
 * or trailing {@code /} is ignored.
 */
public final class Glob {
    private final String pattern;
    private final Pattern regex;
    private final boolean literal;

    private Glob(String pattern) {
        this.pattern = pattern;
        this.literal = !hasWildcard(pattern);
        this.regex = literal ? null : Pattern.compile(toRegex(pattern));
    }

    public static Glob of(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        String p = pattern.strip();
        while (p.startsWith("./")) p = p.substring(2);
        while (p.endsWith("/") && p.length() > 1) p = p.substring(0, p.length() - 1);
        if (p.isEmpty()) throw new IllegalArgumentException("empty glob");
        if (p.startsWith("/")) throw new IllegalArgumentException("glob must be relative to the repository: " + pattern);
        return new Glob(p);
    }

    public static List<Glob> all(List<String> patterns) {
        return patterns.stream().map(Glob::of).toList();
    }

    public static boolean anyMatches(List<Glob> globs, String path) {
        for (Glob glob : globs) if (glob.matches(path)) return true;
        return false;
    }

    public boolean matches(String path) {
        if (literal) return path.equals(pattern) || path.startsWith(pattern + "/");
        return regex.matcher(path).matches();
    }

    /** The first path segment when it has no wildcard ({@code src} for {@code src/**}), else empty. */
    public Optional<String> literalTopSegment() {
        int slash = pattern.indexOf('/');
        String first = slash < 0 ? pattern : pattern.substring(0, slash);
        return hasWildcard(first) ? Optional.empty() : Optional.of(first);
    }

    public String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return pattern;
    }

    private static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int n = glob.length();
        for (int i = 0; i < n; i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < n && glob.charAt(i + 1) == '*') {
                boolean atSegmentStart = i == 0 || glob.charAt(i - 1) == '/';
                boolean slashAfter = i + 2 < n && glob.charAt(i + 2) == '/';
                if (atSegmentStart && slashAfter) {
                    re.append("(?:.*/)?");
                    i += 2;
                } else {
                    re.append(".*");
                    i += 1;
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int close = glob.indexOf(']', i + 2);
                if (close < 0) {
                    re.append("\\[");
                } else {
                    String body = glob.substring(i + 1, close);
                    if (body.startsWith("!")) body = "^" + body.substring(1);
                    re.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                    i = close;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
