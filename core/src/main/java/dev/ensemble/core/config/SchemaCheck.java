package dev.ensemble.core.config;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Validates one layer against {@code config.schema.json} and turns each schema error into a
 * {@link ConfigError} at the line where the offending key was written. Messages are ours, not the
 * validator's: "expected" comes from the failing schema's {@code description}, "got" from the
 * value (never a secret's value).
 */
final class SchemaCheck {
    static final String RESOURCE = "/dev/ensemble/core/config/config.schema.json";
    private static final SchemaCheck INSTANCE = new SchemaCheck();

    private final JsonNode schemaTree;
    private final Schema schema;

    private SchemaCheck() {
        try (InputStream in = SchemaCheck.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
            schemaTree = JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaTree);
    }

    static SchemaCheck instance() {
        return INSTANCE;
    }

    List<ConfigError> check(Layer layer) {
        Set<ConfigError> out = new LinkedHashSet<>();
        for (Error error : schema.validate(layer.tree())) {
            KeyPath at = toKeyPath(error.getInstanceLocation());
            JsonNode failing = schemaAt(error.getSchemaLocation().getFragment());
            JsonNode owner = failing == null ? null : parentOf(error.getSchemaLocation().getFragment());
            String keyword = error.getKeyword();
            if (("additionalProperties".equals(keyword) || "unevaluatedProperties".equals(keyword))
                    && error.getProperty() != null) {
                KeyPath unknown = at.child(error.getProperty());
                out.add(layer.originOf(unknown).error(unknown, unknownKeyMessage(at, error.getProperty(), owner)));
                continue;
            }
            String expected = owner != null && owner.path("description").isString()
                    ? owner.path("description").asString() : fallbackExpectation(error);
            out.add(layer.originOf(at).error(at, "expected " + expected + ", got " + Describe.value(error.getInstanceNode(), at)));
        }
        List<ConfigError> sorted = new ArrayList<>(out);
        sorted.sort(java.util.Comparator.comparingInt(ConfigError::line));
        return sorted;
    }

    /** The property names a mapping accepts, for "did you mean". */
    private String unknownKeyMessage(KeyPath at, String property, JsonNode owner) {
        List<String> known = new ArrayList<>();
        if (owner != null) owner.path("properties").propertyNames().forEach(known::add);
        String where = at.isRoot() ? "unknown top-level key '" : "unknown key '";
        String hint = Suggest.hint(property, known);
        String expected = hint.isEmpty() && !known.isEmpty() ? " (expected one of " + String.join(", ", known) + ")" : "";
        return where + property + "'" + hint + expected;
    }

    private static String fallbackExpectation(Error error) {
        String message = error.getMessage();
        int colon = message.indexOf(": ");
        return "a valid value (" + (colon > 0 ? message.substring(colon + 2) : message) + ")";
    }

    static KeyPath toKeyPath(NodePath path) {
        List<Object> segments = new ArrayList<>();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            segments.add(element instanceof Integer index ? index : String.valueOf(element));
        }
        return new KeyPath(segments);
    }

    private JsonNode schemaAt(NodePath fragment) {
        JsonNode node = schemaTree;
        for (int i = 0; i < fragment.getNameCount() && node != null; i++) {
            Object element = fragment.getElement(i);
            node = element instanceof Integer index ? node.get(index) : node.get(String.valueOf(element));
        }
        return node;
    }

    private JsonNode parentOf(NodePath fragment) {
        NodePath parent = fragment.getParent();
        return parent == null ? schemaTree : schemaAt(parent);
    }
}
