package dev.ensemble.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OllamaClientTest {

    @Test
    void listsPulledModelsAndVersion() {
        try (var server = ScriptedModelServer.start()) {
            server.localModels(List.of("llama3.2:latest", "qwen2.5-coder:7b"));
            OllamaClient.Status status = new OllamaClient(server.baseUrl() + "/").probe();
            assertThat(status.running()).isTrue();
            assertThat(status.problem()).isEmpty();
            assertThat(status.version()).isEqualTo("0.0.0-scripted");
            assertThat(status.models()).containsExactly("llama3.2:latest", "qwen2.5-coder:7b");
            assertThat(status.hasModel("llama3.2")).isTrue();
            assertThat(status.hasModel("qwen2.5-coder:7b")).isTrue();
            assertThat(status.hasModel("qwen2.5-coder")).isFalse();
            assertThat(server.requests()).extracting(r -> r.path()).containsExactly("/api/version", "/api/tags");
        }
    }

    @Test
    void runningWithNothingPulled() {
        try (var server = ScriptedModelServer.start()) {
            OllamaClient.Status status = new OllamaClient(server.baseUrl()).probe();
            assertThat(status.running()).isTrue();
            assertThat(status.models()).isEmpty();
        }
    }

    @Test
    void closedPortSaysNotRunningInsteadOfThrowing() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        OllamaClient.Status status = new OllamaClient("http://127.0.0.1:" + port, Duration.ofSeconds(1), Optional.empty()).probe();
        assertThat(status.running()).isFalse();
        assertThat(status.models()).isEmpty();
        assertThat(status.problem()).contains("cannot connect").contains(Integer.toString(port));
    }

    @Test
    void aServerThatNeverAnswersIsATimeoutNotAHang() throws IOException {
        // Bound and listening, never accepting: the connection opens and the request goes unanswered.
        try (var socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            OllamaClient.Status status = new OllamaClient("http://127.0.0.1:" + socket.getLocalPort(), Duration.ofMillis(300),
                    Optional.empty()).probe();
            assertThat(status.running()).isFalse();
            assertThat(status.problem()).contains("no answer");
        }
    }

    @Test
    void aServerThatIsNotOllamaIsReportedAsSuch() {
        try (var server = ScriptedModelServer.start()) {
            // The scripted server answers 404 on paths it does not know, as a non-Ollama server would.
            OllamaClient.Status status = new OllamaClient(server.baseUrl() + "/not-ollama").probe();
            assertThat(status.running()).isFalse();
            assertThat(status.problem()).contains("HTTP 404");
        }
    }

    @Test
    void modelsIsEmptyWhenNothingAnswers() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThat(new OllamaClient("http://127.0.0.1:" + port).models()).isEmpty();
    }
}
