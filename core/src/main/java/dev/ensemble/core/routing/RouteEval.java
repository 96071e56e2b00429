package dev.ensemble.core.routing;

import dev.ensemble.core.Pricing;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * The routing benchmark: on a folder of per-prompt outcomes of a strong and a weak model, how much
 * cheaper than strong-only can a router be while keeping 95% of strong-only quality?
 *
 * <p>Method. The prompts are shuffled with the seed and split in half; everything is learned from
 * the first half and measured on the second. Two logistic regressions, over TF-IDF of hashed word
 * uni- and bigrams of the prompt plus a prompt-length bucket, predict P(weak correct) and P(strong
 * correct). The expected quality gained by sending a prompt to the strong model is the difference
 * p_s − p_w (whatever the correlation between the two models, by linearity). The router sends a
 * prompt to the strong model when that gain per extra dollar, (p_s − p_w) / (cost_s − cost_w), is
 * above a threshold; sweeping the threshold from +∞ to −∞ switches the test prompts to the strong
 * model one by one in that order, which traces the curve. The per-prompt cost is known at routing
 * time (it is the prompt's length at each model's price), so using it is fair; how much of the
 * saving comes from it alone is shown by the length-only baseline.
 *
 * <p>Reported beside the headline router: the same with the source file (the MMLU subject) as an
 * extra feature (a real deployment does not get a subject label with each prompt, so it is not
 * the headline); the same learned gain ignoring cost (RouteLLM's setting, where each call of a
 * model costs the same); length only (no learning at all); and random routing, whose expected cost
 * at a quality is linear between weak-only and strong-only.
 *
 * <p>Cost of a prompt on a model = prompt tokens × input price + {@code outputTokens} × output
 * price. Tokens come from the caller's counter ({@link #CHARS_OVER_4} when none: a rough estimate
 * for English); the output length is a fixed assumption because the data does not record it.
 */
public final class RouteEval {
    public static final ToIntFunction<String> CHARS_OVER_4 = s -> (s.length() + 3) / 4;
    public static final double TARGET = 0.95;

    private static final int EPOCHS = 8;
    private static final double LEARNING_RATE = 0.5;
    private static final double L2 = 1e-5;

    /**
     * @param strong       the strong model's column
     * @param weak         the weak model's column
     * @param outputTokens assumed tokens of every answer
     * @param tokens       counts a prompt's tokens
     * @param tokenizer    how {@code tokens} counts, for the report
     */
    public record Options(String strong, String weak, Pricing strongPrice, Pricing weakPrice, long seed, long outputTokens,
                          ToIntFunction<String> tokens, String tokenizer) {
        public Options {
            Objects.requireNonNull(strong, "strong");
            Objects.requireNonNull(weak, "weak");
            Objects.requireNonNull(strongPrice, "strongPrice");
            Objects.requireNonNull(weakPrice, "weakPrice");
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(tokenizer, "tokenizer");
            if (strong.equals(weak)) throw new IllegalArgumentException("the strong and weak columns must differ");
            if (outputTokens < 0) throw new IllegalArgumentException("output tokens cannot be negative");
        }
    }

    private RouteEval() {}

    /**
     * The default pair when the caller names none: of the data's model columns, the one answering
     * most prompts correctly is strong and the one answering fewest is weak.
     */
    public static String[] defaultStrongWeak(EvalData data) {
        List<String> byAccuracy = new ArrayList<>(data.models());
        byAccuracy.sort(Comparator.comparingLong((String m) -> data.prompts().stream().filter(p -> p.correct(m)).count()).reversed());
        return new String[] {byAccuracy.getFirst(), byAccuracy.getLast()};
    }

    public static EvalReport run(EvalData data, Options o) {
        for (String column : List.of(o.strong(), o.weak())) {
            if (!data.models().contains(column)) {
                throw new IllegalArgumentException("no model column '" + column + "' (columns: " + String.join(", ", data.models()) + ")");
            }
        }
        List<EvalPrompt> shuffled = new ArrayList<>(data.prompts());
        Collections.shuffle(shuffled, new Random(o.seed()));
        int half = shuffled.size() / 2;
        List<EvalPrompt> train = shuffled.subList(0, half);
        List<EvalPrompt> test = shuffled.subList(half, shuffled.size());
        if (train.size() < 2 || test.isEmpty()) throw new IllegalArgumentException("too few prompts to split (" + shuffled.size() + ")");

        int n = test.size();
        double[] costWeak = new double[n];
        double[] costStrong = new double[n];
        boolean[] weakOk = new boolean[n];
        boolean[] strongOk = new boolean[n];
        for (int i = 0; i < n; i++) {
            EvalPrompt p = test.get(i);
            long in = o.tokens().applyAsInt(p.prompt());
            costWeak[i] = cost(o.weakPrice(), in, o.outputTokens());
            costStrong[i] = cost(o.strongPrice(), in, o.outputTokens());
            weakOk[i] = p.correct(o.weak());
            strongOk[i] = p.correct(o.strong());
        }
        Outcomes outcomes = new Outcomes(costWeak, costStrong, weakOk, strongOk);
        double strongQuality = share(strongOk);
        double target = TARGET * strongQuality;

        HashedFeatures features = HashedFeatures.fit(train.stream().map(EvalPrompt::prompt).toList());
        double[] gainText = gains(features, train, test, o, false);
        double[] gainSource = gains(features, train, test, o, true);

        List<RouterCurve> routers = new ArrayList<>();
        routers.add(curve("learned, cost-aware", "prompt text; strong when (p_s − p_w) per extra dollar is above the threshold",
                i -> gainText[i] / Math.max(1e-12, costStrong[i] - costWeak[i]), outcomes, target));
        routers.add(curve("learned + subject, cost-aware", "as above, with the source file (MMLU subject) as a feature",
                i -> gainSource[i] / Math.max(1e-12, costStrong[i] - costWeak[i]), outcomes, target));
        routers.add(curve("learned, quality only", "prompt text; strong when p_s − p_w is above the threshold (ignores cost)",
                i -> gainText[i], outcomes, target));
        routers.add(curve("length only", "no learning: strong for the shortest prompts first (cheapest to upgrade)",
                i -> 1 / Math.max(1e-12, costStrong[i] - costWeak[i]), outcomes, target));

        double weakCost = sum(costWeak);
        double strongCost = sum(costStrong);
        double weakQuality = share(weakOk);
        OptionalDouble randomCost = OptionalDouble.empty();
        if (strongQuality > weakQuality && target >= weakQuality) {
            double f = (target - weakQuality) / (strongQuality - weakQuality);
            randomCost = OptionalDouble.of(weakCost + f * (strongCost - weakCost));
        } else if (target < weakQuality) {
            randomCost = OptionalDouble.of(weakCost);
        }
        return new EvalReport(o.strong(), o.weak(), o.strongPrice(), o.weakPrice(), o.seed(), o.outputTokens(), o.tokenizer(),
                data.prompts().size(), data.excluded(), train.size(), n,
                new CurvePoint(1, strongCost, strongQuality), new CurvePoint(0, weakCost, weakQuality), target,
                randomCost, routers);
    }

    private record Outcomes(double[] costWeak, double[] costStrong, boolean[] weakOk, boolean[] strongOk) {}

    /** p_s − p_w for every test prompt, from models trained on the training half. */
    private static double[] gains(HashedFeatures features, List<EvalPrompt> train, List<EvalPrompt> test, Options o, boolean withSource) {
        List<HashedFeatures.Sparse> xs = new ArrayList<>();
        boolean[] weak = new boolean[train.size()];
        boolean[] strong = new boolean[train.size()];
        for (int i = 0; i < train.size(); i++) {
            xs.add(vector(features, train.get(i), o, withSource));
            weak[i] = train.get(i).correct(o.weak());
            strong[i] = train.get(i).correct(o.strong());
        }
        LogisticRegression pw = LogisticRegression.train(xs, weak, HashedFeatures.BUCKETS, EPOCHS, LEARNING_RATE, L2, o.seed());
        LogisticRegression ps = LogisticRegression.train(xs, strong, HashedFeatures.BUCKETS, EPOCHS, LEARNING_RATE, L2, o.seed() + 1);
        double[] gains = new double[test.size()];
        for (int i = 0; i < test.size(); i++) {
            HashedFeatures.Sparse x = vector(features, test.get(i), o, withSource);
            gains[i] = ps.probability(x) - pw.probability(x);
        }
        return gains;
    }

    private static HashedFeatures.Sparse vector(HashedFeatures features, EvalPrompt p, Options o, boolean withSource) {
        int tokens = Math.max(1, o.tokens().applyAsInt(p.prompt()));
        List<String> extras = new ArrayList<>();
        extras.add("length:" + (31 - Integer.numberOfLeadingZeros(tokens)));
        if (withSource) extras.add("source:" + p.source());
        return HashedFeatures.withExtras(features.vector(p.prompt()), extras, 1.0);
    }

    /** Switches prompts to the strong model in descending order of {@code value} (ties: data order) and records every step. */
    private static RouterCurve curve(String name, String description, java.util.function.IntToDoubleFunction value, Outcomes t, double target) {
        int n = t.costWeak.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = value.applyAsDouble(i);
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -v[i]).thenComparingInt(i -> i));
        double cost = sum(t.costWeak);
        int correct = 0;
        for (boolean ok : t.weakOk) if (ok) correct++;
        List<CurvePoint> curve = new ArrayList<>(n + 1);
        curve.add(new CurvePoint(0, cost, (double) correct / n));
        for (int k = 0; k < n; k++) {
            int i = order[k];
            cost += t.costStrong[i] - t.costWeak[i];
            correct += (t.strongOk[i] ? 1 : 0) - (t.weakOk[i] ? 1 : 0);
            curve.add(new CurvePoint((double) (k + 1) / n, cost, (double) correct / n));
        }
        double strongCost = sum(t.costStrong);
        OptionalDouble saving = OptionalDouble.empty(), share = OptionalDouble.empty(), atCost = OptionalDouble.empty();
        for (int k = 0; k < curve.size(); k++) {
            CurvePoint p = curve.get(k);
            if (p.quality() >= target) {
                double c = p.costUsd(), s = p.strongShare();
                if (k > 0) {
                    CurvePoint prev = curve.get(k - 1);
                    double f = (target - prev.quality()) / (p.quality() - prev.quality());
                    c = prev.costUsd() + f * (p.costUsd() - prev.costUsd());
                    s = prev.strongShare() + f * (p.strongShare() - prev.strongShare());
                }
                saving = OptionalDouble.of(1 - c / strongCost);
                share = OptionalDouble.of(s);
                atCost = OptionalDouble.of(c);
                break;
            }
        }
        return new RouterCurve(name, description, curve, saving, share, atCost);
    }

    private static double cost(Pricing price, long inputTokens, long outputTokens) {
        return (inputTokens * price.inputPerMtok() + outputTokens * price.outputPerMtok()) / 1_000_000.0;
    }

    private static double sum(double[] xs) {
        double s = 0;
        for (double x : xs) s += x;
        return s;
    }

    private static double share(boolean[] xs) {
        int k = 0;
        for (boolean x : xs) if (x) k++;
        return (double) k / xs.length;
    }
}
