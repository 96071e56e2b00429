package dev.ensemble.engine.run;

/**
 * @param parallelism        tasks in flight at most
 * @param maxAttemptsPerStep tries at one fallback step: the first and the retries with the failure reason
 * @param fallbackSteps      further steps down the role's chain once a step's attempts are spent
 */
public record SchedulerSettings(int parallelism, int maxAttemptsPerStep, int fallbackSteps) {
    public static final SchedulerSettings DEFAULT =
            new SchedulerSettings(Math.min(4, Runtime.getRuntime().availableProcessors()), 2, 2);

    public SchedulerSettings {
        if (parallelism < 1) throw new IllegalArgumentException("parallelism must be at least 1");
        if (maxAttemptsPerStep < 1) throw new IllegalArgumentException("maxAttemptsPerStep must be at least 1");
        if (fallbackSteps < 0) throw new IllegalArgumentException("fallbackSteps cannot be negative");
    }

    public SchedulerSettings withParallelism(int parallelism) {
        return new SchedulerSettings(parallelism, maxAttemptsPerStep, fallbackSteps);
    }
}
