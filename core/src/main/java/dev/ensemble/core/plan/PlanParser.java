package dev.ensemble.core.plan;

import dev.ensemble.core.AnswerJson;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.routing.Roles;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a planner's answer into a {@link Plan}. Tolerant of what models do: the JSON may sit in a
 * {@code ```json} fenced block inside prose, or be the outermost {@code {...}} of the answer;
 * trailing commas and comments are accepted; keys may be snake_case ({@code depends_on},
 * {@code test_first}, the documented spelling) or camelCase; unknown keys are ignored. Strict about
 * types: every problem is reported together, each at its JSON path, in a {@link PlanParseException}.
 *
 * <p>Required per task: {@code id}, {@code title}, {@code kind}, {@code files} (a list, possibly
 * empty), {@code acceptance}. Optional: {@code role} (default: the role serving the kind),
 * {@code agent}, {@code model}, {@code depends_on} (default none), {@code test_first} (default
 * false), {@code description} (default: the title). Per spec: {@code path} and {@code content}.
 */
public final class PlanParser {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();

    private PlanParser() {}

    /** @throws PlanParseException with every problem found */
    public static Plan parse(String request, String answer) {
        return parse(request, answer, PlanLimits.DEFAULT);
    }

    /**
     * As {@link #parse(String, String)}, refusing a plan over {@code limits} before reading it
     * (its size) or its tasks (their number).
     *
     * @throws PlanParseException with every problem found
     */
    public static Plan parse(String request, String answer, PlanLimits limits) {
        String text = answer == null ? "" : answer;
        limits.textProblem(text).ifPresent(tooLarge -> {
            throw new PlanParseException(List.of(new PlanProblem("$", tooLarge)));
        });
        String json = AnswerJson.objectText(text)
                .orElseThrow(() -> new PlanParseException(List.of(new PlanProblem("$",
                        "expected a JSON object with \"specs\" and \"tasks\"; the answer contains no JSON object"))));
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new PlanParseException(List.of(new PlanProblem("$", "malformed JSON" + where + ": " + e.getOriginalMessage())));
        }
        List<PlanProblem> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new PlanParseException(List.of(new PlanProblem("$", "expected a JSON object with \"specs\" and \"tasks\"")));
        }
        List<SpecFile> specs = new ArrayList<>();
        JsonNode specsNode = root.get("specs");
        if (specsNode != null && !specsNode.isNull()) {
            if (!specsNode.isArray()) {
                problems.add(new PlanProblem("$.specs", "expected a list of {path, content}"));
            } else {
                for (int i = 0; i < specsNode.size(); i++) {
                    spec(specsNode.get(i), "$.specs[" + i + "]", problems).ifPresent(specs::add);
                }
            }
        }
        List<PlanTask> tasks = new ArrayList<>();
        JsonNode tasksNode = root.get("tasks");
        if (tasksNode == null || tasksNode.isNull()) {
            problems.add(new PlanProblem("$.tasks", "required: a list of tasks"));
        } else if (!tasksNode.isArray()) {
            problems.add(new PlanProblem("$.tasks", "expected a list of tasks"));
        } else if (tasksNode.size() > limits.maxTasks()) {
            throw new PlanParseException(List.of(new PlanProblem("$.tasks", limits.tasksProblem(tasksNode.size()))));
        } else {
            for (int i = 0; i < tasksNode.size(); i++) {
                task(tasksNode.get(i), "$.tasks[" + i + "]", problems).ifPresent(tasks::add);
            }
        }
        if (!problems.isEmpty()) throw new PlanParseException(problems);
        return new Plan(request, specs, tasks);
    }

    private static Optional<SpecFile> spec(JsonNode node, String at, List<PlanProblem> problems) {
        if (!node.isObject()) {
            problems.add(new PlanProblem(at, "expected an object with path and content"));
            return Optional.empty();
        }
        int before = problems.size();
        String path = requiredText(node, at, "path", problems);
        String content = requiredText(node, at, "content", problems);
        return problems.size() == before ? Optional.of(new SpecFile(path, content)) : Optional.empty();
    }

    private static Optional<PlanTask> task(JsonNode node, String at, List<PlanProblem> problems) {
        if (!node.isObject()) {
            problems.add(new PlanProblem(at, "expected a task object"));
            return Optional.empty();
        }
        int before = problems.size();
        String id = requiredText(node, at, "id", problems);
        String title = requiredText(node, at, "title", problems);
        TaskKind kind = null;
        String kindText = requiredText(node, at, "kind", problems);
        if (kindText != null) {
            try {
                kind = TaskKind.fromKey(kindText);
            } catch (IllegalArgumentException e) {
                problems.add(new PlanProblem(at + ".kind", "unknown kind '" + kindText + "' (expected planning, coding, review or search)"));
            }
        }
        String role = optionalText(node, at, "role", problems).orElse(kind == null ? "" : defaultRole(kind));
        Optional<String> agent = optionalText(node, at, "agent", problems);
        Optional<String> model = optionalText(node, at, "model", problems);
        List<String> files = textList(node, at, "files", true, problems);
        List<String> dependsOn = textList(node, at, key(node, "depends_on", "dependsOn"), false, problems);
        String acceptance = requiredText(node, at, "acceptance", problems);
        boolean testFirst = false;
        String testKey = key(node, "test_first", "testFirst");
        JsonNode tf = node.get(testKey);
        if (tf != null && !tf.isNull()) {
            if (tf.isBoolean()) testFirst = tf.asBoolean();
            else problems.add(new PlanProblem(at + "." + testKey, "expected true or false"));
        }
        String description = optionalText(node, at, "description", problems)
                .or(() -> optionalText(node, at, "prompt", problems)).orElse(title == null ? "" : title);
        if (problems.size() != before) return Optional.empty();
        return Optional.of(new PlanTask(id, title, kind, role, agent, model, files, dependsOn, acceptance, testFirst, description));
    }

    /** The role that serves a kind among the defaults: coding → implementer, and so on. */
    public static String defaultRole(TaskKind kind) {
        return switch (kind) {
            case PLANNING -> Roles.PLANNER;
            case CODING -> Roles.IMPLEMENTER;
            case REVIEW -> Roles.REVIEWER;
            case SEARCH -> Roles.LIBRARIAN;
        };
    }

    private static String key(JsonNode node, String snake, String camel) {
        return node.has(snake) || !node.has(camel) ? snake : camel;
    }

    private static String requiredText(JsonNode node, String at, String field, List<PlanProblem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problems.add(new PlanProblem(at + "." + field, "required field is missing"));
            return null;
        }
        if (!value.isString() || value.asString().isBlank()) {
            problems.add(new PlanProblem(at + "." + field, "expected non-empty text, got " + describe(value)));
            return null;
        }
        return value.asString().strip();
    }

    private static Optional<String> optionalText(JsonNode node, String at, String field, List<PlanProblem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isString()) {
            problems.add(new PlanProblem(at + "." + field, "expected text, got " + describe(value)));
            return Optional.empty();
        }
        return value.asString().isBlank() ? Optional.empty() : Optional.of(value.asString().strip());
    }

    private static List<String> textList(JsonNode node, String at, String field, boolean required, List<PlanProblem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) problems.add(new PlanProblem(at + "." + field, "required field is missing (a list of paths or globs)"));
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(new PlanProblem(at + "." + field, "expected a list of text, got " + describe(value)));
            return List.of();
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isString() || item.asString().isBlank()) {
                problems.add(new PlanProblem(at + "." + field + "[" + i + "]", "expected non-empty text, got " + describe(item)));
            } else {
                items.add(item.asString().strip());
            }
        }
        return items;
    }

    private static String describe(JsonNode value) {
        if (value.isString()) return value.asString().isBlank() ? "empty text" : "text";
        if (value.isNumber()) return "a number";
        if (value.isBoolean()) return "a boolean";
        if (value.isArray()) return "a list";
        if (value.isObject()) return "an object";
        return "null";
    }
}
