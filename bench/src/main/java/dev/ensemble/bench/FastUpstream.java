package dev.ensemble.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * The gateway benchmark's upstream (BENCHMARKS.md section 7): a minimal model server on 127.0.0.1
 * that answers OpenAI Chat Completions and Anthropic Messages, plain and streamed, with one fixed
 * short reply and no delay, so that what the benchmark measures is the gateway in front of it. The
 * testkit's scripted server speaks every wire too, but it matches rules and logs every request,
 * which under tens of thousands of requests would be the bottleneck of the direct baseline.
 *
 * <p>A model whose name contains {@code slow} streams one event a second for two minutes: the
 * benchmark holds 500 such streams open through the gateway to measure its memory.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.ensemble.bench.FastUpstream [--port 0]</pre>
 * prints {@code listening PORT} once it listens.
 */
public final class FastUpstream {
    static {
        // Without TCP_NODELAY the JDK server holds each small SSE write for ~40 ms (Nagle + delayed ACK).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final String TEXT = "Hello! How can I help you today?";
    private static final int SLOW_SECONDS = 120;

    private FastUpstream() {}

    public static void main(String[] args) throws Exception {
        int port = args.length >= 2 && args[0].equals("--port") ? Integer.parseInt(args[1]) : 0;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> serve(exchange, false));
        server.createContext("/v1/messages", exchange -> serve(exchange, true));
        server.start();
        System.out.println("listening " + server.getAddress().getPort());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static void serve(HttpExchange exchange, boolean anthropic) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String model = model(body);
            boolean stream = body.replace(" ", "").contains("\"stream\":true");
            if (!stream) {
                byte[] answer = (anthropic ? anthropicPlain(model) : openAiPlain(model)).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            List<String> events = anthropic ? anthropicEvents(model) : openAiEvents(model);
            boolean slow = model.contains("slow");
            // Every event flushed on its own, as a model's tokens arrive; a slow model trickles a
            // content event each second between its first and its last ones.
            write(out, events.getFirst());
            if (slow) {
                for (int i = 0; i < SLOW_SECONDS; i++) {
                    sleep();
                    write(out, anthropic ? anthropicDelta(".") : openAiDelta(model, "."));
                }
            }
            for (String event : events.subList(1, events.size())) write(out, event);
        } catch (IOException e) {
            // The client left (the memory benchmark closes its streams).
        }
    }

    private static void write(OutputStream out, String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** The request's model, read without a JSON parser (the benchmark's bodies are ours and simple). */
    static String model(String body) {
        int key = body.indexOf("\"model\"");
        if (key < 0) return "unknown";
        int start = body.indexOf('"', body.indexOf(':', key) + 1);
        int end = body.indexOf('"', start + 1);
        return start < 0 || end < 0 ? "unknown" : body.substring(start + 1, end);
    }

    private static String openAiPlain(String model) {
        return "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":\"" + model + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + TEXT + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}";
    }

    private static String openAiDelta(String model, String text) {
        return "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n";
    }

    private static List<String> openAiEvents(String model) {
        String head = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"" + model + "\",";
        return List.of(
                head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
                openAiDelta(model, "Hello! How can"),
                openAiDelta(model, " I help you today?"),
                head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                head + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}\n\n",
                "data: [DONE]\n\n");
    }

    private static String anthropicPlain(String model) {
        return "{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"" + TEXT + "\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":12,\"output_tokens\":9}}";
    }

    private static String anthropicDelta(String text) {
        return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n";
    }

    private static List<String> anthropicEvents(String model) {
        return List.of(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                        + "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
                        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                anthropicDelta("Hello! How can"),
                anthropicDelta(" I help you today?"),
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                        + "\"usage\":{\"output_tokens\":9}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }
}
