package dev.ensemble.testkit;

import java.util.List;

/** The dialects the scripted server speaks, in the order requests are offered to them. */
public final class Dialects {
    private Dialects() {}

    public static List<Dialect> all() {
        return List.of(new OllamaDialect(), new OpenAiChatDialect(), new OpenAiResponsesDialect(),
                new AnthropicDialect(), new GeminiDialect());
    }
}
