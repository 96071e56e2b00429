package dev.ensemble.core.config;

import dev.ensemble.core.io.ParseLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads YAML text into a {@link Layer}. Uses snakeyaml-engine's compose API rather than a data
 * binder because the node graph keeps every node's start mark: that is what lets a schema error
 * at {@code /models/gpt-5/pricing/input} be reported at the line where the user wrote it.
 * Scalars are typed by the YAML 1.2 core schema (so {@code as_of: 2026-11-01} stays a string).
 */
final class YamlLayers {
    private static final CoreSchema SCHEMA = new CoreSchema();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlLayers() {
    }

    /** @throws ConfigException for a YAML syntax error, naming the line and the key it occurred under */
    static Layer read(String source, String text) {
        LoadSettings settings = LoadSettings.builder().setLabel(source).setSchema(SCHEMA)
                .setAllowDuplicateKeys(true) // reported below with both lines, rather than thrown
                .setMaxAliasesForCollections(ParseLimits.MAX_COLLECTION_ALIASES)
                .setCodePointLimit((int) ParseLimits.MAX_FILE_BYTES).build();
        Optional<ConfigError> overLimit = YamlLimits.check(source, text, settings);
        if (overLimit.isPresent()) throw new ConfigException(List.of(overLimit.get()));
        Optional<Node> root;
        try {
            Iterable<Node> documents = new Compose(settings).composeAllFromString(text);
            List<Node> all = new ArrayList<>();
            for (Node document : documents) all.add(document);
            if (all.size() > 1) {
                int line = all.get(1).getStartMark().map(m -> m.getLine() + 1).orElse(0);
                throw new ConfigException(List.of(new ConfigError(source, line, "",
                        "expected a single YAML document, found a second one")));
            }
            root = all.stream().findFirst();
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(syntaxError(source, text, settings, e)));
        }
        Converter converter = new Converter(source);
        ObjectNode tree = NODES.objectNode();
        if (root.isPresent()) {
            JsonNode value = converter.convert(root.get(), KeyPath.ROOT);
            if (value instanceof ObjectNode object) {
                tree = object;
            } else if (!value.isNull()) {
                converter.problems.add(converter.origins.get(KeyPath.ROOT).error(KeyPath.ROOT,
                        "expected a mapping of settings (key: value lines), got " + Describe.value(value, KeyPath.ROOT)));
            }
        }
        return new Layer(source, tree, converter.origins, converter.problems);
    }

    /**
     * Parses one environment variable's text as a YAML scalar: {@code 3} is a number, {@code true} a
     * boolean. A number that cannot be used (see {@link #scalarNode}) goes to {@code problem} and reads as null.
     */
    static JsonNode scalar(String text, Consumer<String> problem) {
        if (text.isEmpty()) return NODES.stringNode("");
        ScalarResolver resolver = SCHEMA.getScalarResolver();
        Tag tag = resolver.resolve(text, true);
        return scalarNode(new ScalarNode(tag, text, org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN), problem);
    }

    /**
     * A scalar as JSON. A number longer than {@link ParseLimits#MAX_NUMBER_LENGTH} characters is not
     * converted (a million digits take minutes to parse), and one that overflows a double
     * ({@code 1e999}) is not turned into infinity: both go to {@code problem} and read as null, so
     * that no later check clamps or compares them. Whole numbers beyond any setting's range stay
     * exact (BigInteger) for the schema's range checks to reject.
     */
    private static JsonNode scalarNode(ScalarNode node, Consumer<String> problem) {
        Tag tag = node.getTag();
        ConstructNode constructor = SCHEMA.getSchemaTagConstructors().get(tag);
        if (constructor == null || tag.equals(Tag.STR)) return NODES.stringNode(node.getValue());
        if ((tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) && node.getValue().length() > ParseLimits.MAX_NUMBER_LENGTH) {
            problem.accept("over the limit of " + ParseLimits.MAX_NUMBER_LENGTH + " characters for a number, got one of "
                    + node.getValue().length());
            return NODES.nullNode();
        }
        Object value;
        try {
            value = constructor.construct(node);
        } catch (RuntimeException e) {
            return NODES.stringNode(node.getValue());
        }
        return switch (value) {
            case null -> NODES.nullNode();
            case Boolean b -> NODES.booleanNode(b);
            case Integer i -> NODES.numberNode(i);
            case Long l -> NODES.numberNode(l);
            case java.math.BigInteger big -> NODES.numberNode(big);
            case Double d when !Double.isFinite(d) -> {
                problem.accept("expected a finite number, got " + node.getValue());
                yield NODES.nullNode();
            }
            case Double d -> NODES.numberNode(d);
            case Float f -> NODES.numberNode(f.doubleValue());
            default -> NODES.stringNode(node.getValue());
        };
    }

    private static final class Converter {
        final String source;
        final Map<KeyPath, Origin> origins = new HashMap<>();
        final List<ConfigError> problems = new ArrayList<>();
        private final Map<Node, Boolean> inProgress = new IdentityHashMap<>();

        Converter(String source) {
            this.source = source;
        }

        Origin origin(Node node) {
            return new Origin(source, line(node.getStartMark()));
        }

        JsonNode convert(Node node, KeyPath path) {
            origins.putIfAbsent(path, origin(node));
            if (inProgress.containsKey(node)) {
                problems.add(origin(node).error(path, "expected a tree of settings, found an alias that refers to itself"));
                return NODES.nullNode();
            }
            return switch (node) {
                case ScalarNode scalar -> scalarNode(scalar, message -> problems.add(origin(node).error(path, message)));
                case SequenceNode sequence -> {
                    inProgress.put(node, true);
                    ArrayNode array = NODES.arrayNode();
                    List<Node> items = sequence.getValue();
                    for (int i = 0; i < items.size(); i++) {
                        KeyPath itemPath = path.index(i);
                        origins.put(itemPath, origin(items.get(i)));
                        array.add(convert(items.get(i), itemPath));
                    }
                    inProgress.remove(node);
                    yield array;
                }
                case MappingNode mapping -> {
                    inProgress.put(node, true);
                    ObjectNode object = NODES.objectNode();
                    Map<String, Integer> firstLine = new HashMap<>();
                    for (NodeTuple tuple : mapping.getValue()) {
                        Node keyNode = tuple.getKeyNode();
                        if (!(keyNode instanceof ScalarNode keyScalar)) {
                            problems.add(origin(keyNode).error(path, "expected a plain key, found a "
                                    + (keyNode instanceof MappingNode ? "mapping" : "list") + " used as a key"));
                            continue;
                        }
                        String key = keyScalar.getValue();
                        KeyPath childPath = path.child(key);
                        int keyLine = line(keyNode.getStartMark());
                        Integer earlier = firstLine.putIfAbsent(key, keyLine);
                        if (earlier != null) {
                            problems.add(new Origin(source, keyLine).error(childPath,
                                    "duplicate key (first given at line " + earlier + "); give each key once"));
                            continue;
                        }
                        origins.put(childPath, new Origin(source, keyLine));
                        object.set(key, convert(tuple.getValueNode(), childPath));
                    }
                    inProgress.remove(node);
                    yield object;
                }
                default -> NODES.nullNode();
            };
        }
    }

    private static int line(Optional<Mark> mark) {
        return mark.map(m -> m.getLine() + 1).orElse(0);
    }

    /**
     * A syntax error names the line the parser stopped at and the key it was inside; the key comes
     * from replaying the event stream up to the failure. The parser's snippet is left out of the
     * message because the offending line might hold a pasted key.
     */
    private static ConfigError syntaxError(String source, String text, LoadSettings settings, YamlEngineException e) {
        int line = 0;
        String problem = e.getMessage();
        if (e instanceof MarkedYamlEngineException marked) {
            line = line(marked.getProblemMark().or(marked::getContextMark));
            problem = marked.getProblem();
            if (marked.getContext() != null && marked.getContextMark().isPresent()) {
                int contextLine = line(marked.getContextMark());
                problem = problem + " (" + marked.getContext()
                        + (contextLine != line ? " started at line " + contextLine : "") + ")";
            }
        }
        if (problem != null && problem.contains("block")) problem = problem + "; check the indentation";
        String key = pathAtFailure(text, settings).toString();
        return new ConfigError(source, line, key, "YAML syntax error: " + problem);
    }

    private static KeyPath pathAtFailure(String text, LoadSettings settings) {
        Deque<Frame> stack = new ArrayDeque<>();
        try {
            for (Event event : new Parse(settings).parseString(text)) {
                switch (event.getEventId()) {
                    case MappingStart, SequenceStart -> stack.push(new Frame(event.getEventId() == Event.ID.MappingStart));
                    case MappingEnd, SequenceEnd -> {
                        stack.pop();
                        if (!stack.isEmpty()) stack.peek().valueDone();
                    }
                    case Scalar, Alias -> {
                        if (stack.isEmpty()) break;
                        Frame top = stack.peek();
                        if (top.mapping && top.expectingKey) {
                            top.key = event instanceof ScalarEvent scalar ? scalar.getValue() : "*alias";
                            top.expectingKey = false;
                        } else {
                            top.valueDone();
                        }
                    }
                    default -> { }
                }
            }
        } catch (YamlEngineException expected) {
            // the point of the replay: the stack now describes where parsing stopped
        }
        List<Object> segments = new ArrayList<>();
        stack.descendingIterator().forEachRemaining(frame -> {
            if (frame.mapping && frame.key != null) segments.add(frame.key);
            else if (!frame.mapping) segments.add(frame.index);
        });
        return new KeyPath(segments);
    }

    private static final class Frame {
        final boolean mapping;
        boolean expectingKey = true;
        String key;
        int index;

        Frame(boolean mapping) {
            this.mapping = mapping;
        }

        void valueDone() {
            if (mapping) expectingKey = true;
            else index++;
        }
    }
}
