package dev.ensemble.core.config;

import dev.ensemble.core.io.ParseLimits;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Checks a YAML text against {@link ParseLimits} before it is composed into a node graph: nesting
 * depth and the number of values once aliases are expanded, both counted from the event stream,
 * which the parser produces without recursion. snakeyaml-engine's composer recurses once per level
 * (5,000 nested brackets overflow the stack) and its alias limit counts aliases, not what they
 * expand to (nine aliases of nine aliases of … stay under any alias count and still expand to
 * billions of values when the graph is turned into a tree). An alias adds the size and height of
 * the node it names, so the check sees the tree the converter would build.
 */
final class YamlLimits {
    private YamlLimits() {
    }

    /** The first limit the text goes over, at the line where it did; empty when it is within them all. */
    static Optional<ConfigError> check(String source, String text, LoadSettings settings) {
        Deque<Frame> open = new ArrayDeque<>();
        Map<String, Size> anchors = new HashMap<>();
        long values = 0;
        int collectionAliases = 0;
        try {
            for (Event event : new Parse(settings).parseString(text)) {
                Size size;
                switch (event.getEventId()) {
                    case MappingStart, SequenceStart -> {
                        values++;
                        if (open.size() + 1 > ParseLimits.MAX_DEPTH) return Optional.of(depthError(source, event));
                        open.push(new Frame(anchor(event)));
                        continue;
                    }
                    case MappingEnd, SequenceEnd -> {
                        Frame done = open.pop();
                        size = new Size(done.values + 1, done.height + 1);
                        done.anchor.ifPresent(name -> anchors.put(name, size));
                    }
                    case Scalar -> {
                        values++;
                        size = new Size(1, 0);
                        anchor(event).ifPresent(name -> anchors.put(name, size));
                    }
                    case Alias -> {
                        // an alias to a node still open refers to itself: the converter reports that
                        size = anchors.getOrDefault(((AliasEvent) event).getAlias().getValue(), new Size(1, 0));
                        if (size.height > 0 && ++collectionAliases > ParseLimits.MAX_COLLECTION_ALIASES) {
                            return Optional.of(limit(source, event, ParseLimits.MAX_COLLECTION_ALIASES
                                    + " aliases (*name) to lists or mappings"));
                        }
                        values += size.values;
                        if (open.size() + size.height > ParseLimits.MAX_DEPTH) return Optional.of(depthError(source, event));
                    }
                    default -> {
                        continue;
                    }
                }
                if (values > ParseLimits.MAX_VALUES) {
                    return Optional.of(limit(source, event, ParseLimits.MAX_VALUES
                            + " values once aliases (*name) are expanded"));
                }
                if (!open.isEmpty()) open.peek().add(size);
            }
        } catch (YamlEngineException e) {
            // a syntax error, reported with its key when the text is composed
        }
        return Optional.empty();
    }

    private static ConfigError depthError(String source, Event event) {
        return limit(source, event, ParseLimits.MAX_DEPTH + " levels of lists and mappings nested in each other");
    }

    private static ConfigError limit(String source, Event event, String what) {
        int line = event.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        return new ConfigError(source, line, "", "over the limit of " + what + "; nothing was read from this file");
    }

    private static Optional<String> anchor(Event event) {
        return event instanceof NodeEvent node ? node.getAnchor().map(a -> a.getValue()) : Optional.empty();
    }

    /** A node's size once expanded: how many values, and how many levels of lists and mappings. */
    private record Size(long values, int height) {}

    private static final class Frame {
        final Optional<String> anchor;
        long values;
        int height;

        Frame(Optional<String> anchor) {
            this.anchor = anchor;
        }

        void add(Size child) {
            values += child.values;
            height = Math.max(height, child.height);
        }
    }
}
