package dev.ensemble.engine.converse;

import dev.ensemble.core.routing.Role;
import dev.ensemble.llm.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What each side of a {@link DuoChat} is sent. Each model sees the conversation from its own
 * side: its own earlier messages as its answers, the other's as labelled messages to it, and the
 * task at the start. Nothing else reaches it: no tools, no files.
 */
final class ChatPrompts {
    private ChatPrompts() {}

    static String implementerSystem(Role implementer, Role reviewer) {
        return implementer.systemPrompt() + "\n\nYou are in a written exchange with a reviewer, " + reviewer.displayName()
                + ", who sees only your messages. You have no tools and no files: put your whole work (code, plan or text) "
                + "in your message. When the reviewer asks for changes, answer with the complete revised work, not only the changed parts.";
    }

    static String reviewerSystem(Role reviewer, Role implementer, String stopToken) {
        return reviewer.systemPrompt() + "\n\nYou review the work of an implementer, " + implementer.displayName()
                + ", in a written exchange; you have no tools and no files. Judge its latest message against the task and "
                + "name concrete problems and what to change. When you are satisfied that the work does the task, reply with "
                + stopToken + " on a line of its own (a short reason may follow on the next lines). Otherwise do not write "
                + stopToken + " at all.";
    }

    /**
     * The implementer's messages for round {@code round}, given the answers of earlier rounds
     * ({@code work} and {@code reviews} hold one entry per finished round).
     */
    static List<ChatMessage> implementer(String task, Role implementer, Role reviewer, List<String> work, List<String> reviews) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(implementerSystem(implementer, reviewer)));
        messages.add(ChatMessage.user(taskBlock(task) + "\n\nWrite your work for the reviewer."));
        for (int r = 0; r < reviews.size(); r++) {
            messages.add(ChatMessage.assistant(work.get(r)));
            messages.add(ChatMessage.user("Review from " + reviewer.displayName() + " (reviewer), round " + (r + 1) + ":\n"
                    + reviews.get(r) + "\n\nRevise your work to answer this review; give the complete revised work."));
        }
        return messages;
    }

    /**
     * The reviewer's messages for the round whose work is the last entry of {@code work};
     * {@code reviews} holds its answers to the earlier ones.
     */
    static List<ChatMessage> reviewer(String task, Role reviewer, Role implementer, String stopToken, List<String> work,
                                      List<String> reviews) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(reviewerSystem(reviewer, implementer, stopToken)));
        for (int r = 0; r < work.size(); r++) {
            String opening = r == 0 ? taskBlock(task) + "\n\n" : "";
            messages.add(ChatMessage.user(opening + "Work from " + implementer.displayName() + " (implementer), round " + (r + 1)
                    + ":\n" + work.get(r) + "\n\nReview it against the task. If it does the task, reply with " + stopToken
                    + " on a line of its own; otherwise say what to change."));
            if (r < reviews.size()) messages.add(ChatMessage.assistant(reviews.get(r)));
        }
        return messages;
    }

    private static String taskBlock(String task) {
        return "Task:\n" + task.strip();
    }
}
