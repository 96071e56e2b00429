package dev.ensemble.core.plan;

/**
 * Whether two owned paths or globs can name the same file. A conservative approximation: each
 * pattern is cut at its first wildcard ({@code * ? [ {}) to a literal prefix; two patterns overlap
 * when one prefix starts with the other. A pattern without wildcards is a path that owns itself and
 * everything under it (as the enforcer's {@code Glob} reads it), so {@code src/auth} overlaps
 * {@code src/auth/login.py}, but not {@code src/authz}. The approximation may see an overlap where
 * none exists ({@code src/*.java} and {@code src/x.py}); it never misses one, which is the side to
 * err on when two agents write at the same time. Planners avoid false alarms with narrower globs.
 */
final class Ownership {
    private Ownership() {}

    static boolean overlap(String a, String b) {
        String x = normalize(a);
        String y = normalize(b);
        boolean literalX = wildcardAt(x) < 0;
        boolean literalY = wildcardAt(y) < 0;
        if (literalX && literalY) return x.equals(y) || under(x, y) || under(y, x);
        String px = literalX ? x : x.substring(0, wildcardAt(x));
        String py = literalY ? y : y.substring(0, wildcardAt(y));
        if (literalX) return py.startsWith(px) && (py.length() == px.length() || py.charAt(px.length()) == '/') || px.startsWith(py);
        if (literalY) return px.startsWith(py) && (px.length() == py.length() || px.charAt(py.length()) == '/') || py.startsWith(px);
        return px.startsWith(py) || py.startsWith(px);
    }

    static String normalize(String pattern) {
        String p = pattern.strip();
        while (p.startsWith("./")) p = p.substring(2);
        while (p.endsWith("/") && p.length() > 1) p = p.substring(0, p.length() - 1);
        return p;
    }

    static int wildcardAt(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') return i;
        }
        return -1;
    }

    private static boolean under(String path, String folder) {
        return path.startsWith(folder + "/");
    }
}
