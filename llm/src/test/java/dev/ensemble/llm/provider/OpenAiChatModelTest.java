package dev.ensemble.llm.provider;

import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.ScriptedModelServer;
import java.util.Optional;

class OpenAiChatModelTest extends ChatModelContract {
    @Override
    protected ChatModel model(ScriptedModelServer server, Timeouts timeouts) {
        var provider = TestSpecs.provider("deepseek", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1");
        var spec = TestSpecs.model("chat-model", "deepseek");
        return new OpenAiChatModel(spec, provider, new HttpTransport(HttpTransport.newClient(timeouts.connect()), timeouts,
                "deepseek/chat-model"), Optional.of("sk-test-key-123456"));
    }

    @Override
    protected String protocol() {
        return "openai-chat";
    }
}
