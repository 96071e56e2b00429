package dev.ensemble.agents.cli;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one run of a CLI is started: its command line, what it adds to the private base
 * environment (base URL, key, config locations, telemetry switches), and the parser for its output.
 */
public record Invocation(List<String> command, Map<String, String> environment, OutputParser parser) {
    public Invocation {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(parser, "parser");
    }

    @Override
    public String toString() {
        // The environment may hold a key: never print it.
        return "Invocation" + command;
    }
}
