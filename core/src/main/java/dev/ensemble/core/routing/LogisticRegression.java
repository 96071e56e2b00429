package dev.ensemble.core.routing;

import java.util.List;
import java.util.Random;

/**
 * Binary logistic regression on sparse vectors, trained by stochastic gradient descent with L2
 * regularisation (applied to the weights a step touches, the usual sparse approximation) and a
 * decaying step. Deterministic for a seed: the sample order is shuffled with {@link Random}, whose
 * algorithm Java specifies.
 */
public final class LogisticRegression {
    private final double[] weights;
    private double bias;

    private LogisticRegression(int dimensions) {
        this.weights = new double[dimensions];
    }

    public static LogisticRegression train(List<HashedFeatures.Sparse> xs, boolean[] ys, int dimensions, int epochs,
                                           double learningRate, double l2, long seed) {
        if (xs.size() != ys.length) throw new IllegalArgumentException("features and labels differ in length");
        LogisticRegression model = new LogisticRegression(dimensions);
        int[] order = new int[xs.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Random random = new Random(seed);
        long positives = 0;
        for (boolean y : ys) if (y) positives++;
        // start the bias at the base rate's log-odds, so early steps learn the features, not the rate
        double rate = (positives + 1.0) / (ys.length + 2.0);
        model.bias = Math.log(rate / (1 - rate));
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double step = learningRate / (1 + epoch);
            for (int i : order) {
                HashedFeatures.Sparse x = xs.get(i);
                double gradient = model.probability(x) - (ys[i] ? 1 : 0);
                for (int k = 0; k < x.index().length; k++) {
                    int f = x.index()[k];
                    model.weights[f] -= step * (gradient * x.value()[k] + l2 * model.weights[f]);
                }
                model.bias -= step * gradient;
            }
        }
        return model;
    }

    public double probability(HashedFeatures.Sparse x) {
        double z = bias;
        for (int k = 0; k < x.index().length; k++) z += weights[x.index()[k]] * x.value()[k];
        return 1 / (1 + Math.exp(-z));
    }
}
