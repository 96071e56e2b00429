package dev.ensemble.core.routing;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sparse TF-IDF vectors over hashed word uni- and bigrams: sub-linear term frequency (1 + ln tf),
 * times the inverse document frequency learned from the training prompts, L2-normalised. Hashing
 * (2^18 buckets) keeps memory fixed whatever the vocabulary; collisions cost little at this size.
 */
public final class HashedFeatures {
    public static final int BUCKETS = 1 << 18;

    /** One sparse vector: bucket indices (ascending) and values. */
    public record Sparse(int[] index, double[] value) {}

    private final double[] idf;

    private HashedFeatures(double[] idf) {
        this.idf = idf;
    }

    /** Learns the IDF from the training texts only, so the test half stays unseen. */
    public static HashedFeatures fit(List<String> texts) {
        int[] df = new int[BUCKETS];
        for (String text : texts) {
            for (int b : counts(text).keySet()) df[b]++;
        }
        double[] idf = new double[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) idf[b] = Math.log((1.0 + texts.size()) / (1.0 + df[b])) + 1;
        return new HashedFeatures(idf);
    }

    public Sparse vector(String text) {
        Map<Integer, Integer> counts = counts(text);
        int[] index = counts.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        double[] value = new double[index.length];
        double norm = 0;
        for (int i = 0; i < index.length; i++) {
            value[i] = (1 + Math.log(counts.get(index[i]))) * idf[index[i]];
            norm += value[i] * value[i];
        }
        norm = Math.sqrt(norm);
        if (norm > 0) for (int i = 0; i < value.length; i++) value[i] /= norm;
        return new Sparse(index, value);
    }

    /** The vector with extra one-hot features (e.g. "source:anatomy", "length:7") appended at value {@code weight}. */
    public static Sparse withExtras(Sparse base, List<String> extras, double weight) {
        int[] index = Arrays.copyOf(base.index(), base.index().length + extras.size());
        double[] value = Arrays.copyOf(base.value(), base.value().length + extras.size());
        for (int i = 0; i < extras.size(); i++) {
            index[base.index().length + i] = TextFeatures.bucket("\u0000" + extras.get(i), BUCKETS);
            value[base.value().length + i] = weight;
        }
        return new Sparse(index, value);
    }

    private static Map<Integer, Integer> counts(String text) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (String gram : TextFeatures.unigramsAndBigrams(text)) counts.merge(TextFeatures.bucket(gram, BUCKETS), 1, Integer::sum);
        return counts;
    }
}
