package dev.ensemble.engine.plan;

import dev.ensemble.core.plan.PlanProblem;
import java.util.List;

/** The words the planner is given: the answer format, and the repair turn. */
final class PlanPrompt {
    private PlanPrompt() {}

    static final String SCHEMA = """
            Answer with one JSON object and nothing else (no prose), in exactly this shape:
            {
              "specs": [ {"path": "specs/<name>.md", "content": "<the spec's full text>"} ],
              "tasks": [
                {
                  "id": "<short unique id, e.g. api-tests>",
                  "title": "<one line>",
                  "kind": "planning" | "coding" | "review" | "search",
                  "role": "planner" | "implementer" | "reviewer" | "librarian"   (optional; default from kind),
                  "agent": "<coding agent hint>"   (optional),
                  "model": "<model id hint>"   (optional),
                  "files": ["<repository-relative path or glob the task owns>"],
                  "depends_on": ["<ids of tasks that must finish first>"],
                  "acceptance": "<what must hold for the task to pass>",
                  "test_first": false,
                  "description": "<full instructions for whoever does the task>"
                }
              ]
            }
            Rules:
            - Spec files go under specs/ and are written before any task runs.
            - Every coding task owns at least one path; paths are relative to the repository root, without "..",
              never under .git/ or .ensemble/. A folder path owns everything under it.
            - Two tasks that can run at the same time (neither depends on the other, directly or through others)
              must not own the same path; overlapping globs count as the same path.
            - depends_on names existing task ids and has no cycles.
            - Test first: write the tests in their own coding task that owns the test files (e.g. src/test/...,
              tests/..., *_test.py); the implementation task sets "test_first": true and lists the test task in
              depends_on.
            - Prefer several small tasks that can run in parallel over one large task.
            """;

    static String repair(List<PlanProblem> problems) {
        StringBuilder text = new StringBuilder("Your plan was rejected. Fix every problem below and answer again with the whole "
                + "corrected plan as one JSON object:\n");
        for (PlanProblem problem : problems) text.append("- ").append(problem).append('\n');
        return text.toString();
    }
}
