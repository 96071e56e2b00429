package dev.ensemble.core.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Words and word pairs of a text, the features both learned models here use. Lower-cased, split on
 * anything that is not a letter or digit; bigrams catch what single words miss ("review this",
 * "how do").
 */
public final class TextFeatures {
    private TextFeatures() {}

    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                word.append(c);
            } else if (!word.isEmpty()) {
                words.add(word.toString());
                word.setLength(0);
            }
        }
        if (!word.isEmpty()) words.add(word.toString());
        return words;
    }

    /** Unigrams then bigrams ("a b"), in text order, repeats kept (counts matter to the models). */
    public static List<String> unigramsAndBigrams(String text) {
        List<String> words = words(text);
        List<String> grams = new ArrayList<>(words);
        for (int i = 1; i < words.size(); i++) grams.add(words.get(i - 1) + ' ' + words.get(i));
        return grams;
    }

    /** A stable (not String.hashCode-dependent across versions) 32-bit FNV-1a hash, folded into {@code buckets}. */
    public static int bucket(String feature, int buckets) {
        int h = 0x811c9dc5;
        for (int i = 0; i < feature.length(); i++) {
            h ^= feature.charAt(i);
            h *= 0x01000193;
        }
        return Math.floorMod(h, buckets);
    }
}
