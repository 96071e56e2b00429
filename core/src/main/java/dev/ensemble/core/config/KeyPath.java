package dev.ensemble.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a value sits in the configuration tree: map keys (strings) and list indexes (integers).
 * Shown dotted, with indexes in brackets: {@code aliases.team-coder[1]}.
 */
record KeyPath(List<Object> segments) {
    static final KeyPath ROOT = new KeyPath(List.of());

    KeyPath {
        segments = List.copyOf(segments);
    }

    static KeyPath of(Object... segments) {
        return new KeyPath(List.of(segments));
    }

    /**
     * Reads a dotted key as written in error messages ({@code aliases.team-coder[1]}), against
     * {@code tree} so that a key that itself contains a dot (a model id such as {@code gpt-5.1})
     * is kept whole where the tree has it; elsewhere each dot separates two keys.
     */
    static KeyPath parse(String dotted, tools.jackson.databind.JsonNode tree) {
        List<Object> segments = new ArrayList<>();
        tools.jackson.databind.JsonNode at = tree;
        int i = 0;
        while (i < dotted.length()) {
            char c = dotted.charAt(i);
            if (c == '.') {
                i++;
                continue;
            }
            int close = dotted.indexOf(']', i);
            if (c == '[' && close > i + 1 && dotted.substring(i + 1, close).chars().allMatch(Character::isDigit)) {
                int index = Integer.parseInt(dotted.substring(i + 1, close));
                segments.add(index);
                at = at == null ? null : at.get(index);
                i = close + 1;
                continue;
            }
            String key = null;
            if (at != null && at.isObject()) {
                for (String name : at.propertyNames()) {
                    if (!name.isEmpty() && dotted.startsWith(name, i) && endsSegment(dotted, i + name.length())
                            && (key == null || name.length() > key.length())) {
                        key = name;
                    }
                }
            }
            if (key == null) {
                int end = i;
                while (end < dotted.length() && !endsSegment(dotted, end)) end++;
                key = dotted.substring(i, Math.max(end, i + 1));
            }
            segments.add(key);
            at = at == null ? null : at.get(key);
            i += key.length();
        }
        return new KeyPath(segments);
    }

    private static boolean endsSegment(String dotted, int at) {
        return at >= dotted.length() || dotted.charAt(at) == '.' || dotted.charAt(at) == '[';
    }

    KeyPath child(String key) {
        return append(key);
    }

    KeyPath index(int index) {
        return append(index);
    }

    private KeyPath append(Object segment) {
        List<Object> next = new ArrayList<>(segments);
        next.add(segment);
        return new KeyPath(next);
    }

    KeyPath parent() {
        return segments.isEmpty() ? this : new KeyPath(segments.subList(0, segments.size() - 1));
    }

    boolean isRoot() {
        return segments.isEmpty();
    }

    int depth() {
        return segments.size();
    }

    /** The last map key on the path (the field name), or "" at the root. */
    String lastKey() {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i) instanceof String key) return key;
        }
        return "";
    }

    boolean startsWith(KeyPath prefix) {
        return segments.size() >= prefix.segments.size()
                && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Object segment : segments) {
            if (segment instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                if (!out.isEmpty()) out.append('.');
                out.append(segment);
            }
        }
        return out.toString();
    }
}
