package dev.ensemble.core.config;

import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt keys and names: the closest candidate within a few edits. */
final class Suggest {
    private Suggest() {
    }

    static Optional<String> closest(String wrong, Iterable<String> candidates) {
        String target = wrong.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(target, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, wrong.length() / 4); // looser and it suggests unrelated names
        return best != null && bestDistance <= allowed && bestDistance > 0 ? Optional.of(best) : Optional.empty();
    }

    /** " (did you mean 'x'?)" or "". */
    static String hint(String wrong, Iterable<String> candidates) {
        return closest(wrong, candidates).map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest typo. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
