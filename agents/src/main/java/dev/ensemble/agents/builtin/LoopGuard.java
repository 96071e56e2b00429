package dev.ensemble.agents.builtin;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

/**
 * Notices a model going round in circles, which small local models do.
 *
 * <ul>
 * <li><b>Repeats</b>: the same tool with the same arguments (compared as JSON, so key order and
 *     spacing do not matter) {@code repeatLimit} times since the workspace last changed. Counting
 *     from the last change lets "read, edit, read again" go on as long as the edits land.
 * <li><b>No progress</b>: {@code noProgressTurns} turns in a row in which no file changed and no
 *     tool result was new, i.e. every result was text the model had already been given in this
 *     run. A turn without any tool call counts as a turn without progress.
 * </ul>
 */
final class LoopGuard {
    private record CallKey(String tool, JsonNode arguments) {}

    private final int repeatLimit;
    private final int noProgressTurns;
    private final Map<CallKey, Integer> calls = new HashMap<>();
    private final Set<String> seenResults = new HashSet<>();
    private int quietTurns;

    LoopGuard(int repeatLimit, int noProgressTurns) {
        this.repeatLimit = repeatLimit;
        this.noProgressTurns = noProgressTurns;
    }

    /** Counts a call about to be made; the reason to stop when it is one repeat too many. */
    Optional<String> onCall(String tool, String argumentsJson) {
        JsonNode parsed = Toolbox.parseArguments(argumentsJson);
        CallKey key = new CallKey(tool, parsed != null ? parsed : StringNode.valueOf(argumentsJson));
        int count = calls.merge(key, 1, Integer::sum);
        if (count >= repeatLimit) {
            return Optional.of("loop: " + tool + " " + Texts.start(argumentsJson, 300) + " repeated " + count + " times");
        }
        return Optional.empty();
    }

    void onWorkspaceChanged() {
        calls.clear();
    }

    /** Remembers a tool result; true when the model had not been given this text before. */
    boolean isNew(String result) {
        return seenResults.add(result);
    }

    /** Ends a turn; the reason to stop when too many turns in a row made no progress. */
    Optional<String> endTurn(boolean progress) {
        quietTurns = progress ? 0 : quietTurns + 1;
        if (quietTurns >= noProgressTurns) {
            return Optional.of("no progress: " + quietTurns + " turns in a row changed no file and brought no new information");
        }
        return Optional.empty();
    }
}
