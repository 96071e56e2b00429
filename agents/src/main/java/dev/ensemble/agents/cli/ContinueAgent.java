package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Continue's CLI, headless: {@code cn -p TASK --config config.yaml --auto --format json}, with a
 * private {@code CONTINUE_GLOBAL_DIR} and a config that names one OpenAI-compatible model with
 * tool use. cn reads the key only from its config, so that file is written owner-only and deleted
 * when the run ends.
 *
 * <p>cn prints only {@code {response, status}}; the session id, the token usage and the tool
 * calls are read afterwards from the session file it leaves in {@code sessions/<id>.json}.
 * Resume: cn can only resume "the last session", so the home of each session is kept apart and
 * {@code --resume} run in it continues exactly that session.
 *
 * <p>Offline: on every start cn 1.5.47 fetches {@code https://api.continue.dev/cn/info?id=<machine id>}
 * (its version check, run when its module loads, with no setting or variable that stops it, through
 * Node's {@code fetch}, which ignores the proxy variables). {@link NodeFetchGuard} refuses it before
 * it leaves the machine, and the transcript says so. Telemetry is off by its own variables.
 */
public final class ContinueAgent extends CliAgent {
    static final String GLOBAL_DIR = ".continue";
    /** The vendor's domain: its version check, hub, storage sync and telemetry. */
    static final List<String> VENDOR_DOMAINS = List.of("continue.dev");
    private static final String SEEN_MARKER = "cn-history-seen";

    public ContinueAgent(CliSettings settings) {
        super("cn", "cn", Set.of(WireProtocol.OPENAI_CHAT), settings);
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    @Override
    protected Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws IOException {
        Path global = home.folder(GLOBAL_DIR);
        Path config = home.writeSecret(GLOBAL_DIR + "/config.yaml", config(task));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-p", task.prompt(), "--config", config.toString(),
                "--auto", "--format", "json"));
        if (task.resumeSessionId().isPresent()) {
            String id = task.resumeSessionId().get();
            Path session = global.resolve("sessions").resolve(PrivateHome.safeName(id) + ".json");
            if (!Files.isRegularFile(session)) throw new IOException("no kept cn session " + id + " under " + settings.sessionsRoot());
            // The session file keeps the whole history: remember where this run's part of it starts.
            home.write(SEEN_MARKER, Integer.toString(JsonLineParser.JSON.readTree(Files.readString(session)).path("history").size()));
            command.add("--resume");
        }
        Map<String, String> env = new LinkedHashMap<>(NodeFetchGuard.install(home, VENDOR_DOMAINS));
        env.put("CONTINUE_GLOBAL_DIR", global.toString());
        env.put("CONTINUE_CLI_ENABLE_TELEMETRY", "0");
        env.put("CONTINUE_METRICS_ENABLED", "0");
        return new Invocation(command, env, new ContinueJsonParser());
    }

    @Override
    protected List<AgentEvent> afterRun(PrivateHome home, RunSummary summary) {
        List<AgentEvent> events = new ArrayList<>(NodeFetchGuard.blocked(home, name(), "its vendor's API"));
        events.addAll(fromSessionFile(home, summary));
        return events;
    }

    private List<AgentEvent> fromSessionFile(PrivateHome home, RunSummary summary) {
        Optional<Path> file = newestSession(home.resolve(GLOBAL_DIR).resolve("sessions"));
        if (file.isEmpty()) return List.of();
        try {
            Path marker = home.resolve(SEEN_MARKER);
            int seen = Files.isRegularFile(marker) ? Integer.parseInt(Files.readString(marker).strip()) : 0;
            Files.deleteIfExists(marker);
            return fromSession(JsonLineParser.JSON.readTree(Files.readString(file.get())), seen, summary, Instant.now());
        } catch (IOException | JacksonException | NumberFormatException e) {
            return List.of(new AgentEvent.Error(Instant.now(), "cannot read cn's session file: " + e.getMessage()));
        }
    }

    /** Session id and usage of cn's session file, and the tool calls after the first {@code seen} history items. */
    static List<AgentEvent> fromSession(JsonNode session, int seen, RunSummary summary, Instant at) {
        summary.sessionId(session.path("sessionId").asString(null));
        List<AgentEvent> events = new ArrayList<>();
        Usage usage = Usage.ZERO;
        boolean perMessage = false;
        JsonNode history = session.path("history");
        for (int i = seen; i < history.size(); i++) {
            JsonNode message = history.get(i).path("message");
            for (JsonNode call : message.path("toolCalls")) {
                JsonNode function = call.path("function");
                events.add(new AgentEvent.ToolUse(at, function.path("name").asString(""), function.path("arguments").asString("")));
            }
            JsonNode counts = message.path("usage");
            if (counts.isObject()) {
                perMessage = true;
                long input = JsonLineParser.count(counts.path("prompt_tokens"));
                usage = usage.plus(new Usage(input, JsonLineParser.count(counts.path("completion_tokens")),
                        Math.min(input, JsonLineParser.count(counts.path("prompt_tokens_details").path("cached_tokens")))));
            }
        }
        if (!perMessage && seen == 0) {
            // Older files only have the session's total, which is this run's when the session is new.
            JsonNode total = session.path("usage");
            long input = JsonLineParser.count(total.path("promptTokens"));
            usage = new Usage(input, JsonLineParser.count(total.path("completionTokens")),
                    Math.min(input, JsonLineParser.count(total.path("promptTokensDetails").path("cachedTokens"))));
        }
        summary.usage(usage);
        return events;
    }

    private static Optional<Path> newestSession(Path dir) {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .filter(f -> !f.getFileName().toString().equals("sessions.json"))
                    .max(Comparator.comparing(ContinueAgent::modified));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** YAML; every value is written as a JSON string, which YAML reads as the same string. */
    static String config(AgentTask task) {
        return """
                name: ensemble
                version: 1.0.0
                schema: v1
                models:
                  - name: ensemble
                    provider: openai
                    model: %s
                    apiBase: %s
                    apiKey: %s
                    roles: [chat, edit, apply]
                    capabilities: [tool_use]
                """.formatted(quote(task.model().wireName()), quote(BaseUrls.openAi(task.provider().baseUrl())),
                quote(task.apiKey().orElse("ensemble-no-key")));
    }

    private static String quote(String value) {
        return JsonNodeFactory.instance.stringNode(value).toString();
    }
}
