package dev.ensemble.core.plan;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A plan as JSON in the shape {@link PlanParser} reads, so a printed plan (`ensemble plan --json`)
 * can be edited and run (`ensemble go --plan FILE`), and a run can keep its plan in the store.
 */
public final class PlanJson {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private PlanJson() {}

    public static ObjectNode toTree(Plan plan) {
        ObjectNode root = JSON.createObjectNode();
        root.put("request", plan.request());
        ArrayNode specs = root.putArray("specs");
        for (SpecFile spec : plan.specs()) specs.addObject().put("path", spec.path()).put("content", spec.content());
        ArrayNode tasks = root.putArray("tasks");
        for (PlanTask task : plan.tasks()) {
            ObjectNode t = tasks.addObject();
            t.put("id", task.id()).put("title", task.title()).put("kind", task.kind().key()).put("role", task.role());
            task.agent().ifPresent(a -> t.put("agent", a));
            task.model().ifPresent(m -> t.put("model", m));
            ArrayNode files = t.putArray("files");
            task.files().forEach(files::add);
            ArrayNode deps = t.putArray("depends_on");
            task.dependsOn().forEach(deps::add);
            t.put("acceptance", task.acceptance()).put("test_first", task.testFirst()).put("description", task.description());
        }
        return root;
    }

    public static String write(Plan plan) {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(plan));
    }

    /** The inverse of {@link #write}: the same parser that reads a model's answer. */
    public static Plan read(String json) {
        ObjectNode tree = (ObjectNode) JSON.readTree(json);
        return PlanParser.parse(tree.path("request").asString(""), json);
    }

    /** As {@link #read(String)}, with the request kept elsewhere (a run's row) taking precedence. */
    public static Plan read(String request, String json) {
        return PlanParser.parse(request, json);
    }
}
