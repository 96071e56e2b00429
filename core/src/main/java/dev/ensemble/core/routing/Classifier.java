package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Task text → task kind, with a confidence and the reason. Two sources of evidence, added in log
 * space and normalised with a softmax:
 * <ul>
 *   <li>a multinomial naive Bayes model over word uni- and bigrams, trained on first use from
 *       {@code tasks-train.tsv} shipped in this package (a few hundred labelled task descriptions,
 *       balanced across the four kinds), its log-scores divided by {@link #TEMPERATURE} because
 *       naive Bayes multiplies correlated word evidence and is otherwise wildly over-confident;</li>
 *   <li>the {@link KeywordRules}: each rule hit for a kind adds {@link #RULE_WEIGHT} to that kind's
 *       log-score (multiplies its odds by about 3.3).</li>
 * </ul>
 * The rules are the floor: when the learned model has seen none of the text's words its scores are
 * equal and the rules alone decide; when neither says anything the answer is coding (what most
 * tasks given to a coding tool are) with low confidence, and the reason says so. {@code --kind}
 * and {@code --role} bypass this through {@link Classification#overridden}.
 */
public final class Classifier {
    static final double TEMPERATURE = 4.0;
    static final double RULE_WEIGHT = 1.2;
    private static final String TRAINING = "tasks-train.tsv";

    private final NaiveBayes<TaskKind> model;

    public Classifier(NaiveBayes<TaskKind> model) {
        this.model = model;
    }

    private static final class Holder {
        static final Classifier STANDARD = new Classifier(NaiveBayes.train(readExamples(TRAINING)));
    }

    /** The classifier trained on the shipped examples (trained once per process, in milliseconds). */
    public static Classifier standard() {
        return Holder.STANDARD;
    }

    public Classification classify(String task) {
        Map<TaskKind, List<String>> hits = KeywordRules.hits(task);
        boolean learned = model.knowsAnything(task);
        if (!learned && hits.isEmpty()) {
            return new Classification(TaskKind.CODING, 0.25, "no known words or keywords; assuming coding");
        }
        Map<TaskKind, Double> logit = new EnumMap<>(TaskKind.class);
        Map<TaskKind, Double> nb = learned ? model.logScores(task) : Map.of();
        for (TaskKind kind : TaskKind.values()) {
            double l = nb.getOrDefault(kind, 0.0) / TEMPERATURE;
            l += RULE_WEIGHT * hits.getOrDefault(kind, List.of()).size();
            logit.put(kind, l);
        }
        Map<TaskKind, Double> p = softmax(logit);
        Map<TaskKind, Double> pLearned = learned ? softmax(scaled(nb)) : Map.of();
        TaskKind best = TaskKind.CODING;
        for (TaskKind kind : TaskKind.values()) if (p.get(kind) > p.get(best)) best = kind;
        List<String> why = new ArrayList<>();
        if (learned) {
            TaskKind top = TaskKind.CODING;
            for (TaskKind kind : TaskKind.values()) if (pLearned.get(kind) > pLearned.get(top)) top = kind;
            why.add(String.format(Locale.ROOT, "learned model %s %.2f", top.key(), pLearned.get(top)));
        }
        for (TaskKind kind : TaskKind.values()) {
            if (hits.containsKey(kind)) why.add(kind.key() + " keywords: " + String.join(", ", hits.get(kind)));
        }
        return new Classification(best, p.get(best), String.join("; ", why));
    }

    private static Map<TaskKind, Double> scaled(Map<TaskKind, Double> nb) {
        Map<TaskKind, Double> out = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) out.put(kind, nb.getOrDefault(kind, 0.0) / TEMPERATURE);
        return out;
    }

    private static Map<TaskKind, Double> softmax(Map<TaskKind, Double> logit) {
        double max = logit.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double sum = 0;
        Map<TaskKind, Double> p = new EnumMap<>(TaskKind.class);
        for (var e : logit.entrySet()) {
            double x = Math.exp(e.getValue() - max);
            p.put(e.getKey(), x);
            sum += x;
        }
        for (var e : p.entrySet()) e.setValue(e.getValue() / sum);
        return p;
    }

    /**
     * Labelled lines {@code kind<TAB>text} from a resource beside this class; blank lines and lines
     * starting with {@code #} are skipped.
     */
    public static List<NaiveBayes.Example<TaskKind>> readExamples(String resource) {
        try (InputStream in = Classifier.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return parseExamples(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<NaiveBayes.Example<TaskKind>> parseExamples(String tsv, String source) {
        List<NaiveBayes.Example<TaskKind>> examples = new ArrayList<>();
        String[] lines = tsv.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int tab = line.indexOf('\t');
            if (tab < 0) throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected kind<TAB>text");
            examples.add(new NaiveBayes.Example<>(TaskKind.fromKey(line.substring(0, tab).strip()), line.substring(tab + 1).strip()));
        }
        return examples;
    }
}
