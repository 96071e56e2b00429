package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import java.time.Instant;
import java.util.List;

/**
 * Reads one CLI's stdout, a line at a time, into events and a {@link RunSummary}. One instance
 * per run; not thread-safe (lines come from one reading thread).
 */
public interface OutputParser {

    /** The events one line of output stands for (possibly none), updating the summary. */
    List<AgentEvent> accept(String line, Instant at);

    /** Called once after the last line: for formats that are only complete at the end. */
    default List<AgentEvent> finish(Instant at) {
        return List.of();
    }

    RunSummary summary();
}
