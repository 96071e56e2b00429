package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {
    @Test
    void countsWithTheO200kEncoding() {
        assertThat(TokenEstimator.count("hello world")).isEqualTo(2);
        assertThat(TokenEstimator.count("")).isZero();
        assertThat(TokenEstimator.count(null)).isZero();
        // Special-token markers in user text are ordinary text, not an error.
        assertThat(TokenEstimator.count("<|endoftext|>")).isGreaterThan(1);
    }

    @Test
    void aRequestCountsEveryMessageAndToolWithFraming() {
        ChatRequest plain = ChatRequest.of(ChatMessage.system("Be brief."), ChatMessage.user("hello world"));
        int texts = TokenEstimator.count("Be brief.") + TokenEstimator.count("hello world");
        assertThat(TokenEstimator.estimate(plain)).isEqualTo(texts + 2 * TokenEstimator.PER_MESSAGE_OVERHEAD
                + TokenEstimator.PER_REQUEST_OVERHEAD);

        var schema = HttpTransport.JSON.readTree("{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}");
        ChatRequest withTool = plain.withTools(List.of(new ToolSpec("read_file", "Read a file", schema)));
        assertThat(TokenEstimator.estimate(withTool)).isGreaterThan(TokenEstimator.estimate(plain) + 5);
    }

    @Test
    void theUsageOfAnAttemptEstimatesBothSides() {
        var usage = TokenEstimator.estimate(ChatRequest.of(ChatMessage.user("hello world")), "partial answer");
        assertThat(usage.inputTokens()).isEqualTo(2 + TokenEstimator.PER_MESSAGE_OVERHEAD + TokenEstimator.PER_REQUEST_OVERHEAD);
        assertThat(usage.outputTokens()).isEqualTo(TokenEstimator.count("partial answer")).isPositive();
        assertThat(usage.cachedInputTokens()).isZero();
    }
}
