package dev.ensemble.engine.transcript;

import dev.ensemble.core.Redactor;
import dev.ensemble.engine.store.UtcText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Appends entries to one JSON Lines file. Each line is redacted (every string in it, then the whole
 * line), written with one call and handed to the operating system before {@link #append} returns,
 * so a {@code kill -9} loses at most the line being written. The file is only ever appended to:
 * an attempt run again after a crash continues the file its interrupted try began.
 *
 * <p>A transcript that cannot be written does not stop the work it records: {@link #append} never
 * throws, and the first problem is kept for {@link #problem()}.
 */
public final class TranscriptWriter {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final Redactor redactor;
    private final Clock clock;
    private final boolean continuesEarlier;
    private boolean folderReady;
    private String problem = "";

    TranscriptWriter(Path file, Redactor redactor, Clock clock) {
        this.file = file;
        this.redactor = redactor;
        this.clock = clock;
        this.continuesEarlier = sizeOf(file) > 0;
    }

    public Path file() {
        return file;
    }

    /** Whether the file already had lines when this writer was made: an earlier process wrote them. */
    public boolean continuesEarlier() {
        return continuesEarlier;
    }

    Instant now() {
        return clock.instant();
    }

    /** Appends an entry stamped now. */
    public void append(TranscriptEntry.Kind kind, String role, String model, String agent, String text, ObjectNode data) {
        append(TranscriptEntry.text(now(), kind, role, model, agent, text, data));
    }

    public synchronized void append(TranscriptEntry entry) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("at", UtcText.format(entry.at()));
        line.put("kind", entry.kind().wireName());
        line.put("role", entry.role());
        line.put("model", entry.model());
        line.put("agent", entry.agent());
        line.set("content", entry.content());
        if (!entry.data().isEmpty()) line.set("data", entry.data());
        // Strings first, so a secret is found before JSON escaping could change how it is spelled.
        byte[] bytes = (redactor.redact(JSON.writeValueAsString(redact(line))) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (!folderReady) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                folderReady = true;
            }
            Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            if (problem.isEmpty()) problem = "cannot write transcript " + file + ": " + redactor.redact(String.valueOf(e.getMessage()));
        }
    }

    /** The first write that failed, if any. */
    public synchronized Optional<String> problem() {
        return problem.isEmpty() ? Optional.empty() : Optional.of(problem);
    }

    private JsonNode redact(JsonNode node) {
        if (node.isString()) return JsonNodeFactory.instance.stringNode(redactor.redact(node.asString()));
        if (node instanceof ObjectNode object) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : object.properties()) copy.set(redactor.redact(field.getKey()), redact(field.getValue()));
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            for (JsonNode element : array) copy.add(redact(element));
            return copy;
        }
        return node;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
