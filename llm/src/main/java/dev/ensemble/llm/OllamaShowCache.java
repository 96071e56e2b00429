package dev.ensemble.llm;

import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code /api/show} said about each pulled model, kept across processes by the model's
 * content digest (the same digest is the same weights and template, so the answer cannot go
 * stale): a command then costs one {@code /api/tags} call, however many models are pulled. Only an
 * optimisation: a missing, unreadable or corrupt file is an empty cache, and a failed write is
 * ignored. At most {@link #MAX_ENTRIES} models are kept, those still pulled first.
 */
final class OllamaShowCache {
    static final int MAX_ENTRIES = 256;
    private static final int MAX_BYTES = 1 << 20;

    private final Path file;
    private Map<String, OllamaDiscovery.Shown> entries;
    private boolean changed;

    /** @param file the cache file, or null for none (nothing is read or written) */
    OllamaShowCache(Path file) {
        this.file = file;
    }

    synchronized Optional<OllamaDiscovery.Shown> get(String digest) {
        if (digest.isBlank()) return Optional.empty();
        return Optional.ofNullable(entries().get(digest));
    }

    synchronized void put(String digest, OllamaDiscovery.Shown shown) {
        if (digest.isBlank() || !shown.answered()) return;
        if (!shown.equals(entries().put(digest, shown))) changed = true;
    }

    /** Writes the file when something was added; {@code pulled} (digests now listed) are kept before any other. */
    synchronized void save(Collection<String> pulled) {
        if (file == null || !changed) return;
        Map<String, OllamaDiscovery.Shown> kept = new LinkedHashMap<>();
        for (String digest : pulled) if (entries.containsKey(digest)) kept.put(digest, entries.get(digest));
        for (var entry : entries.entrySet()) {
            if (kept.size() >= MAX_ENTRIES) break;
            kept.putIfAbsent(entry.getKey(), entry.getValue());
        }
        ObjectNode root = HttpTransport.JSON.createObjectNode().put("version", 1);
        ObjectNode models = root.putObject("models");
        kept.forEach((digest, s) -> models.putObject(digest).put("context_length", s.contextLength()).put("tools", s.tools())
                .put("family", s.family()).put("parameter_size", s.parameterSize()).put("quantization", s.quantization()));
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".ollama-show", ".tmp");
            Files.writeString(temp, HttpTransport.JSON.writeValueAsString(root));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            changed = false;
        } catch (IOException | RuntimeException e) {
            // A cache that cannot be written costs a few /api/show calls next time, nothing more.
        }
    }

    private Map<String, OllamaDiscovery.Shown> entries() {
        if (entries == null) entries = read();
        return entries;
    }

    private Map<String, OllamaDiscovery.Shown> read() {
        Map<String, OllamaDiscovery.Shown> out = new LinkedHashMap<>();
        if (file == null || !Files.isRegularFile(file)) return out;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) return out;
            JsonNode models = HttpTransport.JSON.readTree(new String(bytes, StandardCharsets.UTF_8)).path("models");
            for (String digest : models.propertyNames()) {
                JsonNode m = models.path(digest);
                out.put(digest, new OllamaDiscovery.Shown(true, m.path("context_length").asInt(0), m.path("tools").asBoolean(false),
                        m.path("family").asString(""), m.path("parameter_size").asString(""), m.path("quantization").asString("")));
            }
        } catch (IOException | RuntimeException e) {
            out.clear();
        }
        return out;
    }
}
