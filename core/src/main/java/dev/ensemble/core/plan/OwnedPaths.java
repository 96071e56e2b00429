package dev.ensemble.core.plan;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Whether a path or glob a task may own (a plan's {@code files}, {@code exec --owns}) stays inside
 * the repository and can be matched at all. Checked before anything runs: a glob the enforcer
 * cannot compile, or one that names {@code /etc}, is otherwise found out only after an agent ran.
 */
public final class OwnedPaths {
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    private OwnedPaths() {}

    /** Why {@code raw} cannot be owned, if it cannot: absolute, leaving through {@code ..}, inside {@code .git/} or {@code .ensemble/}, or not a valid glob. */
    public static Optional<String> problem(String raw) {
        String path = raw.strip();
        if (path.isEmpty()) return Optional.of("an empty path owns nothing: name a file, folder or glob");
        if (path.startsWith("/") || path.startsWith("\\") || path.startsWith("~") || DRIVE.matcher(path).matches()) {
            return Optional.of("'" + PlanValidator.printable(raw) + "' is an absolute path: paths are relative to the repository root");
        }
        String normal = Ownership.normalize(path.replace('\\', '/'));
        for (String segment : normal.split("/")) {
            if (segment.equals("..")) return Optional.of("'" + PlanValidator.printable(raw) + "' leaves the repository ('..')");
        }
        String first = normal.split("/", 2)[0];
        if (first.equals(".git") || first.equals(".ensemble")) {
            return Optional.of("'" + PlanValidator.printable(raw) + "' is inside " + first + "/, which no task may own");
        }
        return globProblem(normal).map(why -> "'" + PlanValidator.printable(raw) + "' is not a valid glob: " + why);
    }

    /** Whether the whole repository is what {@code raw} names ({@code **}, {@code *}, {@code .}). */
    public static boolean wholeRepository(String raw) {
        String normal = Ownership.normalize(raw.strip().replace('\\', '/'));
        return normal.isEmpty() || normal.equals(".") || normal.equals("**") || normal.equals("*");
    }

    /**
     * What the enforcer's glob compiler would reject: only a character class ({@code [a-z]}) can
     * fail, since every other character is either a wildcard or quoted. Read the way it reads them:
     * {@code [} without a later {@code ]} is a literal, {@code [!x]} is a negation.
     */
    private static Optional<String> globProblem(String glob) {
        for (int i = 0; i < glob.length(); i++) {
            if (glob.charAt(i) != '[') continue;
            int close = glob.indexOf(']', i + 2);
            if (close < 0) return Optional.empty();
            String body = glob.substring(i + 1, close);
            if (body.startsWith("!")) body = "^" + body.substring(1);
            try {
                Pattern.compile("[" + body.replace("\\", "\\\\").replace("[", "\\[") + "]");
            } catch (PatternSyntaxException e) {
                return Optional.of("the character class [" + glob.substring(i + 1, close) + "] " + describe(e));
            }
            i = close;
        }
        return Optional.empty();
    }

    private static String describe(PatternSyntaxException e) {
        String d = e.getDescription().toLowerCase(java.util.Locale.ROOT);
        return d.contains("range") ? "has a range that runs backwards (write [a-z], not [z-a])" : "is malformed (" + e.getDescription() + ")";
    }
}
