package dev.ensemble.agents.cli;

/**
 * The base URLs each CLI expects, from a provider's. ensemble's provider URLs follow the llm
 * module: OpenAI-style ones end in their version segment ({@code .../v1}); Anthropic and Gemini
 * ones may or may not, while their CLIs append the version themselves.
 */
final class BaseUrls {
    private BaseUrls() {}

    static String trimmed(String url) {
        return url.replaceAll("/+$", "");
    }

    /** For ANTHROPIC_BASE_URL: without {@code /v1} (claude adds {@code /v1/messages}). */
    static String anthropic(String url) {
        return trimmed(url).replaceFirst("/v1$", "");
    }

    /** For GOOGLE_GEMINI_BASE_URL: without {@code /v1beta} (the SDK adds it). */
    static String gemini(String url) {
        return trimmed(url).replaceFirst("/v1(beta)?$", "");
    }

    /** For OpenAI-compatible clients: as configured, with its version segment. */
    static String openAi(String url) {
        return trimmed(url);
    }

    /** For Ollama: the server root, without {@code /api} or {@code /v1}. */
    static String ollama(String url) {
        return trimmed(url).replaceFirst("/(api|v1)$", "");
    }
}
