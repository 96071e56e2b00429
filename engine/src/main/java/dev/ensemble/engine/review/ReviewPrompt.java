package dev.ensemble.engine.review;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.TokenEstimator;
import java.util.List;

/**
 * What a reviewer is asked: its role's system prompt, the answer format (a JSON array of
 * findings), and one part of the diff. Also how much of the diff fits one request for a chain of
 * models: the smallest context window of the chain, less the answer's room and the instructions,
 * with a margin because token counts are estimates (other vendors tokenise differently).
 */
public final class ReviewPrompt {
    public static final CallContext CONTEXT = CallContext.of("review").withRole("reviewer");
    /** A review answer rarely needs more; a model with a bigger output keeps this much room only. */
    private static final int MAX_ANSWER_TOKENS = 4_096;
    /** The share of the estimated room given to the diff: tokenisers differ by up to about 20 %. */
    private static final double MARGIN = 0.8;

    static final String FORMAT = """
            Review the code change below for bugs, security problems, data loss, concurrency and error-handling \
            mistakes, and missing tests. Report only real problems in the lines shown, not style preferences.
            Answer with a JSON array and nothing else. Each element:
            {"severity": "LOW" | "MEDIUM" | "HIGH" | "CRITICAL", "file": "path as in the diff", "line": <first line in the new file>, \
            "end_line": <last line, optional>, "description": "what is wrong and why it matters", "recommendation": "how to fix it"}
            CRITICAL: security hole, data loss or a crash in normal use. HIGH: a bug that will bite. MEDIUM: a likely problem \
            or a missing test. LOW: a minor issue.
            Answer [] when you find nothing worth reporting.""";

    private ReviewPrompt() {}

    /**
     * The request for one part.
     *
     * @param systemPrompt the reviewer role's prompt
     * @param scope        what the diff is ("changes since HEAD", "whole files")
     */
    public static ChatRequest request(String systemPrompt, String scope, DiffChunk chunk, int answerTokens) {
        return ChatRequest.of(List.of(ChatMessage.system(system(systemPrompt)), ChatMessage.user(user(scope, chunk))))
                .withMaxOutputTokens(answerTokens)
                .withContext(CONTEXT);
    }

    /** The room for the answer: the chain's smallest output limit, at most a quarter of its smallest window. */
    public static int answerTokens(List<ModelSpec> chain, int roleMaxOutput) {
        int tokens = MAX_ANSWER_TOKENS;
        for (ModelSpec m : chain) tokens = Math.min(tokens, Math.min(m.maxOutputTokens(), m.contextWindow() / 4));
        if (roleMaxOutput > 0) tokens = Math.min(tokens, roleMaxOutput);
        return Math.max(1, tokens);
    }

    /** The most diff tokens one request may carry for every model of {@code chain}. */
    public static int diffBudget(List<ModelSpec> chain, String systemPrompt, String scope, int answerTokens) {
        int window = chain.stream().mapToInt(ModelSpec::contextWindow).min().orElse(0);
        DiffChunk empty = new DiffChunk(99, 99, "", List.of(), 0);
        int frame = TokenEstimator.estimate(request(systemPrompt, scope, empty, answerTokens));
        return (int) Math.floor((window - answerTokens - frame) * MARGIN);
    }

    private static String system(String rolePrompt) {
        return rolePrompt.isBlank() ? FORMAT : rolePrompt + "\n\n" + FORMAT;
    }

    private static String user(String scope, DiffChunk chunk) {
        String part = chunk.of() > 1 ? " (part " + chunk.index() + " of " + chunk.of() + "; the other parts are reviewed separately)" : "";
        return "Review these " + scope + part + ". Answer with the JSON array only.\n\n```diff\n" + chunk.text() + "```\n";
    }
}
