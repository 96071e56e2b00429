package dev.ensemble.core.routing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Multinomial naive Bayes over word unigrams and bigrams, with add-α smoothing. Chosen for the
 * task classifier because it trains in milliseconds from a few hundred lines, needs no download,
 * behaves sensibly with very little data, and its evidence can be read off per word.
 *
 * @param <L> the label type
 */
public final class NaiveBayes<L> {
    private static final double ALPHA = 0.5;

    /** One training line. */
    public record Example<L>(L label, String text) {
        public Example {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(text, "text");
        }
    }

    private final Map<L, Double> logPrior = new LinkedHashMap<>();
    private final Map<L, Map<String, Integer>> counts = new LinkedHashMap<>();
    private final Map<L, Integer> totals = new LinkedHashMap<>();
    private final java.util.Set<String> vocabulary = new java.util.HashSet<>();

    private NaiveBayes() {}

    public static <L> NaiveBayes<L> train(List<Example<L>> examples) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        NaiveBayes<L> model = new NaiveBayes<>();
        Map<L, Integer> docs = new LinkedHashMap<>();
        for (Example<L> example : examples) {
            docs.merge(example.label(), 1, Integer::sum);
            Map<String, Integer> c = model.counts.computeIfAbsent(example.label(), k -> new HashMap<>());
            for (String gram : TextFeatures.unigramsAndBigrams(example.text())) {
                c.merge(gram, 1, Integer::sum);
                model.totals.merge(example.label(), 1, Integer::sum);
                model.vocabulary.add(gram);
            }
        }
        docs.forEach((label, n) -> model.logPrior.put(label, Math.log((double) n / examples.size())));
        return model;
    }

    /** Whether any feature of the text was seen in training; if not, the posterior is just the prior. */
    public boolean knowsAnything(String text) {
        return TextFeatures.unigramsAndBigrams(text).stream().anyMatch(vocabulary::contains);
    }

    /** Log-probabilities up to a shared constant, per label; features never seen in training are skipped. */
    public Map<L, Double> logScores(String text) {
        List<String> grams = TextFeatures.unigramsAndBigrams(text).stream().filter(vocabulary::contains).toList();
        Map<L, Double> scores = new LinkedHashMap<>();
        int v = vocabulary.size();
        for (L label : logPrior.keySet()) {
            double score = logPrior.get(label);
            Map<String, Integer> c = counts.get(label);
            double denominator = Math.log(totals.getOrDefault(label, 0) + ALPHA * v);
            for (String gram : grams) score += Math.log(c.getOrDefault(gram, 0) + ALPHA) - denominator;
            scores.put(label, score);
        }
        return scores;
    }

    public java.util.Set<L> labels() {
        return logPrior.keySet();
    }
}
