package dev.ensemble.engine.run;

/**
 * The retry rule: a task's first model gets {@code firstStepAttempts} tries (the first, then the
 * retries with the failure reason), then each of up to {@code fallbackSteps} next models of the
 * task's chain gets one try. The default is the README's "retried once, then falls back": A, A, B, C.
 *
 * @param parallelism       tasks in flight at most
 * @param firstStepAttempts tries of the task's first model: the first and the retries with the failure reason
 * @param fallbackSteps     further models down the task's chain, one try each, once the first model's tries are spent
 */
public record SchedulerSettings(int parallelism, int firstStepAttempts, int fallbackSteps) {
    public static final SchedulerSettings DEFAULT =
            new SchedulerSettings(Math.min(4, Runtime.getRuntime().availableProcessors()), 2, 2);

    public SchedulerSettings {
        if (parallelism < 1) throw new IllegalArgumentException("parallelism must be at least 1");
        if (firstStepAttempts < 1) throw new IllegalArgumentException("firstStepAttempts must be at least 1");
        if (fallbackSteps < 0) throw new IllegalArgumentException("fallbackSteps cannot be negative");
    }

    public SchedulerSettings withParallelism(int parallelism) {
        return new SchedulerSettings(parallelism, firstStepAttempts, fallbackSteps);
    }
}
