package dev.ensemble.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.ensemble.core.Usage;

/**
 * Token counts when the provider did not report any: a failed attempt, a budget forecast. Uses
 * OpenAI's o200k_base encoding for every model; other families tokenise differently (usually
 * within ±20 %), which is close enough for an estimate and never used where reported usage exists.
 * The encoding loads on first use, as it takes a noticeable moment.
 */
public final class TokenEstimator {
    /** What chat formats add around each message (role markers, separators), as OpenAI documents it. */
    static final int PER_MESSAGE_OVERHEAD = 4;
    /** The priming of the assistant's reply. */
    static final int PER_REQUEST_OVERHEAD = 3;

    private TokenEstimator() {}

    private static final class Holder {
        static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }

    /** Tokens of plain text; special-token markers in it are counted as ordinary text. */
    public static int count(String text) {
        if (text == null || text.isEmpty()) return 0;
        return Holder.O200K.countTokensOrdinary(text);
    }

    /** Input tokens of a whole request: every message, tool call and tool definition, with framing. */
    public static int estimate(ChatRequest request) {
        int tokens = PER_REQUEST_OVERHEAD;
        for (ChatMessage message : request.messages()) {
            tokens += PER_MESSAGE_OVERHEAD;
            tokens += switch (message) {
                case ChatMessage.System s -> count(s.text());
                case ChatMessage.User u -> count(u.text());
                case ChatMessage.Assistant a -> {
                    int sum = count(a.text());
                    for (ToolCall call : a.toolCalls()) sum += count(call.name()) + count(call.argumentsJson());
                    yield sum;
                }
                case ChatMessage.ToolResult r -> count(r.toolName()) + count(r.content());
            };
        }
        for (ToolSpec tool : request.tools()) {
            tokens += count(tool.name()) + count(tool.description()) + count(tool.parameters().toString());
        }
        return tokens;
    }

    /** The usage of an attempt that produced {@code outputText} (perhaps only part of an answer) for this request. */
    public static Usage estimate(ChatRequest request, String outputText) {
        return new Usage(estimate(request), count(outputText), 0);
    }
}
