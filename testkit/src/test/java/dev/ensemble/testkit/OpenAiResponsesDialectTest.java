package dev.ensemble.testkit;

import static dev.ensemble.testkit.DialectWire.json;
import static dev.ensemble.testkit.DialectWire.post;
import static dev.ensemble.testkit.DialectWire.sse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.DialectWire.Event;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenAiResponsesDialectTest {
    private ScriptedModelServer server;

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String responses() {
        return server.baseUrl() + "/v1/responses";
    }

    private static final String TOOLS = """
            "tools":[{"type":"function","name":"exec_command","description":"run","parameters":{"type":"object"}},
                     {"type":"web_search"}]""";

    @Test
    void plainAnswerIsAResponseObject() {
        server.cachedTokens(2);
        server.rule(Rule.text("Hi!").whenPrompt("greet"));
        HttpResponse<String> response = post(responses(), """
                {"model":"gpt-5","instructions":"Be kind.","input":[{"role":"user","content":[{"type":"input_text","text":"greet me"}]}]}""");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response.body());
        assertThat(body.path("id").asString()).startsWith("resp_");
        assertThat(body.path("object").asString()).isEqualTo("response");
        assertThat(body.path("status").asString()).isEqualTo("completed");
        assertThat(body.path("model").asString()).isEqualTo("gpt-5");
        JsonNode item = body.path("output").path(0);
        assertThat(item.path("type").asString()).isEqualTo("message");
        assertThat(item.path("role").asString()).isEqualTo("assistant");
        assertThat(item.path("id").asString()).startsWith("msg_");
        assertThat(item.path("content").path(0).path("type").asString()).isEqualTo("output_text");
        assertThat(item.path("content").path(0).path("text").asString()).isEqualTo("Hi!");
        assertThat(item.path("content").path(0).path("annotations").isArray()).isTrue();
        JsonNode usage = body.path("usage");
        assertThat(usage.path("input_tokens").asInt()).isGreaterThanOrEqualTo(usage.path("input_tokens_details").path("cached_tokens").asInt());
        assertThat(usage.path("input_tokens_details").path("cached_tokens").asInt()).isEqualTo(2);
        assertThat(usage.path("output_tokens").asInt()).isPositive();
        assertThat(usage.path("output_tokens_details").path("reasoning_tokens").isNumber()).isTrue();
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(usage.path("input_tokens").asInt() + usage.path("output_tokens").asInt());
        RecordedRequest seen = server.requests().getLast();
        assertThat(seen.protocol()).isEqualTo("openai-responses");
        assertThat(seen.parsed().lastUserText()).isEqualTo("greet me");
        assertThat(seen.parsed().inputText()).contains("Be kind.");
    }

    @Test
    void streamedTextFollowsTheRealEventOrder() {
        server.rule(Rule.text("one two three"));
        HttpResponse<String> response = post(responses(), """
                {"model":"gpt-5","stream":true,"input":"count"}""");
        assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
        List<Event> events = sse(response.body());
        assertThat(events).extracting(Event::name).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.completed");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).data().path("type").asString()).isEqualTo(events.get(i).name());
            assertThat(events.get(i).data().path("sequence_number").asInt()).isEqualTo(i);
        }
        assertThat(events.getFirst().data().path("response").path("status").asString()).isEqualTo("in_progress");
        assertThat(events.getFirst().data().path("response").path("reasoning").isObject()).isTrue();
        StringBuilder text = new StringBuilder();
        for (Event e : events) {
            if (e.name().equals("response.output_text.delta")) {
                text.append(e.data().path("delta").asString());
                assertThat(e.data().path("item_id").asString()).startsWith("msg_");
                assertThat(e.data().path("output_index").isNumber()).isTrue();
                assertThat(e.data().path("content_index").isNumber()).isTrue();
            }
        }
        assertThat(text).hasToString("one two three");
        assertThat(events.get(7).data().path("text").asString()).isEqualTo("one two three");
        JsonNode completed = events.getLast().data().path("response");
        assertThat(completed.path("status").asString()).isEqualTo("completed");
        assertThat(completed.path("id").asString()).isEqualTo(events.getFirst().data().path("response").path("id").asString());
        assertThat(completed.path("usage").path("output_tokens").asInt()).isPositive();
        assertThat(completed.path("output").path(0).path("content").path(0).path("text").asString()).isEqualTo("one two three");
        assertThat(server.requests().getLast().parsed().lastUserText()).isEqualTo("count");
    }

    @Test
    void streamedToolCallSendsArgumentFragmentsThenTheWholeItem() {
        String args = "{\"cmd\":\"ls\",\"workdir\":\"/tmp\"}";
        server.rule(Rule.answer(Reply.toolCall("exec_command", args)).whenTools(true).whenToolResult(false));
        List<Event> events = sse(post(responses(), """
                {"model":"gpt-5","stream":true,"input":[{"type":"message","role":"user","content":"list"}],%s}""".formatted(TOOLS))
                .body());
        assertThat(events).extracting(Event::name).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.completed");
        JsonNode added = events.get(2).data().path("item");
        assertThat(added.path("type").asString()).isEqualTo("function_call");
        assertThat(added.path("arguments").asString()).isEmpty();
        String fragments = events.get(3).data().path("delta").asString() + events.get(4).data().path("delta").asString();
        assertThat(fragments).isEqualTo(args);
        assertThat(events.get(5).data().path("arguments").asString()).isEqualTo(args);
        JsonNode done = events.get(6).data().path("item");
        assertThat(done.path("id").asString()).isEqualTo(added.path("id").asString());
        assertThat(done.path("call_id").asString()).startsWith("call_");
        assertThat(done.path("name").asString()).isEqualTo("exec_command");
        assertThat(done.path("arguments").asString()).isEqualTo(args);
        assertThat(done.path("status").asString()).isEqualTo("completed");
        assertThat(events.getLast().data().path("response").path("output").path(0).path("call_id").asString())
                .isEqualTo(done.path("call_id").asString());
        assertThat(server.requests().getLast().parsed().toolNames()).containsExactly("exec_command", "web_search");
    }

    @Test
    void functionCallOutputCountsAsAToolResult() {
        server.rule(Rule.text("listed").whenToolResult(true));
        JsonNode body = json(post(responses(), """
                {"model":"gpt-5","input":[{"role":"user","content":"list"},
                 {"type":"function_call","call_id":"call_1","name":"exec_command","arguments":"{}"},
                 {"type":"function_call_output","call_id":"call_1","output":"a.txt"}],%s}""".formatted(TOOLS)).body());
        assertThat(body.path("output").path(0).path("content").path(0).path("text").asString()).isEqualTo("listed");
        ParsedRequest parsed = server.requests().getLast().parsed();
        assertThat(parsed.hasToolResult()).isTrue();
        assertThat(parsed.lastUserText()).isEqualTo("list");
        assertThat(parsed.inputText()).contains("a.txt");
    }

    @Test
    void errorsAreOpenAiShaped() {
        server.rule(Rule.fault(new Fault.RateLimited(3)));
        HttpResponse<String> response = post(responses(), """
                {"model":"gpt-5","input":"hi"}""");
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).contains("3");
        JsonNode error = json(response.body()).path("error");
        assertThat(error.path("message").asString()).isNotEmpty();
        assertThat(error.path("code").asString()).isEqualTo("rate_limit_exceeded");
        assertThat(error.has("type")).isTrue();
    }
}
