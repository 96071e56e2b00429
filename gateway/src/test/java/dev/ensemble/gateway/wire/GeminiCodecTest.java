package dev.ensemble.gateway.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class GeminiCodecTest {
    private final GeminiCodec codec = new GeminiCodec();

    /**
     * A turn as the Gemini CLI sends it: the model's call has no id, the CLI's response has one of
     * its own; thought parts; a Google-style schema with capital types.
     */
    private static final String GEMINI_CLI_TURN = """
            {"contents":[
               {"role":"user","parts":[{"text":"This is the Gemini CLI."},{"text":"fix it"}]},
               {"role":"model","parts":[{"text":"thinking...","thought":true},{"text":"Looking."},
                                        {"functionCall":{"name":"read_file","args":{"absolute_path":"/r/a.txt"}},"thoughtSignature":"x"}]},
               {"role":"user","parts":[{"functionResponse":{"id":"read_file-1700-abc","name":"read_file","response":{"output":"hello"}}}]},
               {"role":"model","parts":[{"functionCall":{"name":"run","args":{"cmd":"false"}}}]},
               {"role":"user","parts":[{"functionResponse":{"name":"run","response":{"error":"exit 1"}}}]}],
             "systemInstruction":{"role":"user","parts":[{"text":"You are an interactive CLI agent."}]},
             "tools":[{"functionDeclarations":[
                 {"name":"read_file","description":"Reads a file","parametersJsonSchema":{"type":"object",
                    "properties":{"absolute_path":{"type":"string"}},"required":["absolute_path"]}},
                 {"name":"run","description":"Runs","parameters":{"type":"OBJECT","properties":{"cmd":{"type":"STRING"}}}}]},
                {"googleSearch":{}}],
             "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["run"]}},
             "generationConfig":{"temperature":0,"topP":1,"maxOutputTokens":1000,"stopSequences":["STOP!"],
                                 "thinkingConfig":{"includeThoughts":true},"responseMimeType":"application/json"}}
            """;

    @Test
    void decodesAGeminiCliTurn() {
        GatewayRequest request = codec.decode(GEMINI_CLI_TURN.getBytes(StandardCharsets.UTF_8), "models/gemini-2.5-pro", true);
        assertThat(request.model()).isEqualTo("gemini-2.5-pro");
        assertThat(request.stream()).isTrue();
        assertThat(request.chat().messages()).containsExactly(
                new ChatMessage.System("You are an interactive CLI agent."),
                new ChatMessage.User("This is the Gemini CLI.\nfix it"),
                new ChatMessage.Assistant("Looking.", List.of(new ToolCall("call_0", "read_file", "{\"absolute_path\":\"/r/a.txt\"}"))),
                new ChatMessage.ToolResult("call_0", "read_file", "hello", false),
                new ChatMessage.Assistant("", List.of(new ToolCall("call_1", "run", "{\"cmd\":\"false\"}"))),
                new ChatMessage.ToolResult("call_1", "run", "exit 1", true));
        assertThat(request.chat().tools()).hasSize(2);
        assertThat(request.chat().tools().get(1).parameters().path("type").asString()).isEqualTo("object");
        assertThat(request.chat().tools().get(1).parameters().path("properties").path("cmd").path("type").asString()).isEqualTo("string");
        ChatOptions options = request.chat().options();
        assertThat(options.toolChoice()).isEqualTo(ChatOptions.ToolChoice.tool("run"));
        assertThat(options.stop()).containsExactly("STOP!");
        assertThat(options.responseFormat()).isEqualTo(ChatOptions.ResponseFormat.JSON_OBJECT);
        assertThat(request.chat().maxOutputTokens()).isEqualTo(1000);
        assertThat(request.chat().temperature()).isEqualTo(0.0);
    }

    @Test
    void aGeminiCliTurnReachesAResponsesTargetWithMatchingCallIds() {
        GatewayRequest request = codec.decode(GEMINI_CLI_TURN.getBytes(StandardCharsets.UTF_8), "gemini-2.5-pro", false);
        String sent = Clients.sentBody(WireProtocol.OPENAI_RESPONSES, request.chat(),
                new ResponsesCodec().encode(Answers.text("{}", Usage.ZERO), "m"));
        JsonNode input = HttpTransport.JSON.readTree(sent).path("input");
        assertThat(input.get(2).path("call_id").asString()).isEqualTo("call_0");
        assertThat(input.get(3).path("call_id").asString()).isEqualTo("call_0");
        assertThat(HttpTransport.JSON.readTree(sent).path("tool_choice").path("name").asString()).isEqualTo("run");
        assertThat(HttpTransport.JSON.readTree(sent).path("text").path("format").path("type").asString()).isEqualTo("json_object");
    }

    @Test
    void aPlainAnswerIsReadByARealGeminiClient() {
        ChatResponse answer = Answers.toolCall("Reading.", new ToolCall("toolu_1", "read_file", "{\"absolute_path\":\"/a\"}"),
                new Usage(400, 20, 300));
        byte[] bytes = codec.encode(answer, "gemini-2.5-pro");
        JsonNode body = HttpTransport.JSON.readTree(bytes);
        assertThat(body.path("candidates").get(0).path("finishReason").asString()).isEqualTo("STOP");
        assertThat(body.path("usageMetadata").path("cachedContentTokenCount").asLong()).isEqualTo(300);
        assertThat(body.path("candidates").get(0).path("content").path("parts").get(1).path("functionCall").path("args")
                .path("absolute_path").asString()).isEqualTo("/a");

        ChatResponse read = Clients.readPlain(WireProtocol.GEMINI, bytes);
        assertThat(read.text()).isEqualTo("Reading.");
        assertThat(read.toolCalls()).containsExactly(new ToolCall("toolu_1", "read_file", "{\"absolute_path\":\"/a\"}"));
        assertThat(read.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(read.usage()).isEqualTo(new Usage(400, 20, 300));
    }

    @Test
    void aStreamIsChunksEndingInFinishReasonAndUsage() {
        GatewayRequest request = codec.decode(GEMINI_CLI_TURN.getBytes(StandardCharsets.UTF_8), "gemini-2.5-pro", true);
        ChatResponse answer = new ChatResponse("Half", List.of(), FinishReason.LENGTH, new Usage(10, 4, 0), "m", null, null, List.of());
        String events = Answers.stream(codec.streamEncoder(request), answer, "Ha", "lf");
        String[] frames = events.split("\n\n");
        assertThat(frames).hasSize(3).allMatch(frame -> frame.startsWith("data: {\"candidates\""));
        assertThat(frames[2]).contains("\"finishReason\":\"MAX_TOKENS\"").contains("\"usageMetadata\"");

        Clients.Streamed read = Clients.readStream(WireProtocol.GEMINI, events);
        assertThat(read.deltas()).containsExactly("Ha", "lf");
        assertThat(read.response().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(read.response().usage()).isEqualTo(new Usage(10, 4, 0));
    }

    @Test
    void aStreamedToolCallIsReadByARealClient() {
        ToolCall call = new ToolCall("call_z", "run", "{\"cmd\":\"ls\"}");
        String events = Answers.stream(codec.streamEncoder(request()), Answers.toolCall("", call, new Usage(1, 1, 0)));
        Clients.Streamed read = Clients.readStream(WireProtocol.GEMINI, events);
        assertThat(read.calls()).containsExactly(call);
        assertThat(read.response().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void aMidStreamFailureIsAnErrorChunkTheClientRaises() {
        StreamEncoder encoder = codec.streamEncoder(request());
        String events = encoder.start() + encoder.text("par") + encoder.error(503, "upstream unavailable");
        assertThat(events).endsWith("data: {\"error\":{\"code\":503,\"message\":\"upstream unavailable\",\"status\":\"UNAVAILABLE\"}}\n\n");
        ModelException thrown = catchThrowableOfType(ModelException.class, () -> Clients.readStream(WireProtocol.GEMINI, events));
        assertThat(thrown.kind()).isEqualTo(ModelException.Kind.OVERLOADED);
    }

    @Test
    void badRequestsNameTheFieldAndErrorsHaveGooglesShape() {
        assertThat(field("{}")).isEqualTo("contents");
        assertThat(field("{\"contents\":[{\"role\":\"user\"}]}")).isEqualTo("contents[0].parts");
        assertThat(field("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"x\",\"response\":{}}}]}]}"))
                .isEqualTo("contents[0].parts[0].functionResponse.name");
        assertThat(field("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":1}]}]}")).isEqualTo("contents[0].parts[0].text");
        assertThat(field("{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}],\"generationConfig\":{\"maxOutputTokens\":1.5}}"))
                .isEqualTo("generationConfig.maxOutputTokens");
        JsonNode error = HttpTransport.JSON.readTree(codec.error(429, "daily budget spent"));
        assertThat(error.path("error").path("code").asInt()).isEqualTo(429);
        assertThat(error.path("error").path("status").asString()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(HttpTransport.JSON.readTree(codec.error(404, "no model")).path("error").path("status").asString()).isEqualTo("NOT_FOUND");
    }

    private GatewayRequest request() {
        return codec.decode("{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}".getBytes(StandardCharsets.UTF_8), "m", true);
    }

    private String field(String body) {
        return catchThrowableOfType(BadRequest.class, () -> codec.decode(body.getBytes(StandardCharsets.UTF_8), "m", false)).field();
    }
}
