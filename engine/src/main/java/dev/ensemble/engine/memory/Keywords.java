package dev.ensemble.engine.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Text to search terms: lower case, split on anything that is not a letter or digit, stop words and
 * one-character tokens dropped, then a crude suffix stemmer so "migrations", "migrated" and
 * "migrating" meet at "migrat". Crude on purpose: it only has to make the same cut on the query
 * and on the notes.
 */
final class Keywords {
    private static final Set<String> STOP_WORDS = Set.of(
            "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being",
            "but", "by", "can", "could", "did", "do", "does", "done", "each", "for", "from", "had", "has", "have", "he",
            "her", "here", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "must",
            "my", "no", "not", "now", "of", "on", "one", "only", "or", "other", "our", "out", "over", "please", "should",
            "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
            "those", "to", "too", "under", "up", "us", "use", "used", "uses", "using", "very", "was", "we", "were", "what",
            "when", "where", "which", "while", "who", "why", "will", "with", "would", "you", "your");

    /** Longest first: the first suffix that leaves a stem of at least {@link #MIN_STEM} characters is cut. */
    private static final List<String> SUFFIXES = List.of(
            "ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies", "ers", "ed", "er", "es", "ly", "s");
    private static final int MIN_STEM = 3;

    private Keywords() {}

    /** The terms of a text in order, repeats kept (term frequency counts them). */
    static List<String> terms(String text) {
        List<String> terms = new ArrayList<>();
        if (text == null) return terms;
        String lower = text.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= lower.length(); i++) {
            boolean word = i < lower.length() && Character.isLetterOrDigit(lower.charAt(i));
            if (word && start < 0) start = i;
            if (!word && start >= 0) {
                add(terms, lower.substring(start, i));
                start = -1;
            }
        }
        return terms;
    }

    private static void add(List<String> terms, String token) {
        if (token.length() < 2 || STOP_WORDS.contains(token)) return;
        terms.add(stem(token));
    }

    static String stem(String token) {
        if (token.chars().allMatch(Character::isDigit)) return token;
        for (String suffix : SUFFIXES) {
            if (token.endsWith(suffix) && token.length() - suffix.length() >= MIN_STEM) {
                String stem = token.substring(0, token.length() - suffix.length());
                // "ies" → "y": "dependencies" and "dependency" meet at "dependency" cut the same way below.
                if (suffix.equals("ies")) stem += "y";
                return stem.endsWith("e") && stem.length() > MIN_STEM ? stem.substring(0, stem.length() - 1) : stem;
            }
        }
        return token.endsWith("e") && token.length() > MIN_STEM ? token.substring(0, token.length() - 1) : token;
    }

    /**
     * Whether a note's term answers a query term: equal stems, or one a prefix of the other when
     * the shorter has at least four characters ("config" finds "configuration").
     */
    static boolean matches(String queryTerm, String noteTerm) {
        if (queryTerm.equals(noteTerm)) return true;
        String shorter = queryTerm.length() <= noteTerm.length() ? queryTerm : noteTerm;
        String longer = shorter == queryTerm ? noteTerm : queryTerm;
        return shorter.length() >= 4 && longer.startsWith(shorter);
    }
}
