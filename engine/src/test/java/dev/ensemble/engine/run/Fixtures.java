package dev.ensemble.engine.run;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Usage;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Plans and outcomes the scheduler tests share; the crash test's child JVM uses them too. */
final class Fixtures {
    private Fixtures() {}

    static PlanTask task(String id, String... dependsOn) {
        return new PlanTask(id, "task " + id, TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(),
                List.of("src/" + id + "/**"), Arrays.asList(dependsOn), "it works", false, "do " + id);
    }

    static Plan plan(PlanTask... tasks) {
        return new Plan("build the thing", List.of(), List.of(tasks));
    }

    /** A deterministic outcome: the same request always gives the same record, so two runs compare equal. */
    static TaskOutcome outcome(TaskRequest request, TaskOutcome.Status status, String reason) {
        return new TaskOutcome(status, reason, "agent-" + request.fallbackStep(), "model-" + request.fallbackStep(),
                new Usage(100 + request.attempt(), 10 + request.fallbackStep(), 0), 0.01 * request.attempt(),
                Duration.ofMillis(10), request.task().files(), Optional.of("session-" + request.task().id()));
    }

    static TaskOutcome accept(TaskRequest request) {
        return outcome(request, TaskOutcome.Status.ACCEPTED, "");
    }

    /** What must be equal between an interrupted-then-resumed run and an uninterrupted one. */
    static List<Object> essence(TaskRecord r) {
        return List.of(r.taskId(), r.status(), r.attempt(), r.fallbackStep(), r.agent(), r.model(), r.reason(), r.usage(),
                r.costUsd(), r.duration(), r.files(), r.sessionId());
    }

    /**
     * The crash test's plan: a and e are quick (e fails its first attempt), b and c are slow in the
     * child JVM so the kill lands while they run, d waits for both.
     */
    static Plan crashPlan() {
        return plan(task("a"), task("e"), task("b", "a"), task("c", "a"), task("d", "b", "c"));
    }

    static TaskOutcome crashPlanOutcome(TaskRequest request) {
        if (request.task().id().equals("e") && request.attempt() == 1) {
            return outcome(request, TaskOutcome.Status.FAILED, "tests red");
        }
        return accept(request);
    }
}
