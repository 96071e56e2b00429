package dev.ensemble.engine.converse;

import dev.ensemble.llm.FailedAttempt;

/**
 * Watches a {@link DuoChat} as it happens (a terminal printing each turn as it streams). Calls come
 * in order, never two at once, and none after the turn they belong to has ended.
 */
public interface ChatListener {
    ChatListener NONE = new ChatListener() { };

    /** A turn begins: {@code modelId} is the model asked first. */
    default void onTurnStart(int index, int round, ChatTurn.Side side, String roleId, String roleName, String modelId) {}

    /** A piece of the turn's answer, in order. */
    default void onText(String delta) {}

    /** An attempt failed and another follows; text it had streamed is not part of the answer. */
    default void onAttemptFailed(FailedAttempt failure) {}

    /** The turn is over: answered, timed out or failed. */
    default void onTurnEnd(ChatTurn turn) {}
}
