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
