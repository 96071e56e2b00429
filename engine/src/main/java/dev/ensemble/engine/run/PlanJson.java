package dev.ensemble.engine.run;

import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanParser;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.plan.SpecFile;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A plan as JSON in the planner's own format, so {@link PlanParser} reads back exactly what was written. */
public final class PlanJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PlanJson() {}

    public static String write(Plan plan) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode specs = root.putArray("specs");
        for (SpecFile spec : plan.specs()) {
            specs.addObject().put("path", spec.path()).put("content", spec.content());
        }
        ArrayNode tasks = root.putArray("tasks");
        for (PlanTask task : plan.tasks()) {
            ObjectNode node = tasks.addObject()
                    .put("id", task.id())
                    .put("title", task.title())
                    .put("kind", task.kind().key())
                    .put("role", task.role());
            task.agent().ifPresent(a -> node.put("agent", a));
            task.model().ifPresent(m -> node.put("model", m));
            task.files().forEach(node.putArray("files")::add);
            ArrayNode deps = node.putArray("depends_on");
            task.dependsOn().forEach(deps::add);
            node.put("acceptance", task.acceptance())
                    .put("test_first", task.testFirst())
                    .put("description", task.description());
        }
        return JSON.writeValueAsString(root);
    }

    public static Plan read(String request, String json) {
        return PlanParser.parse(request, json);
    }
}
