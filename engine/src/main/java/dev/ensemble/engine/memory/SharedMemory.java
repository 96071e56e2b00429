package dev.ensemble.engine.memory;

import dev.ensemble.core.Redactor;
import dev.ensemble.engine.store.Store;
import dev.ensemble.engine.store.UtcText;
import dev.ensemble.llm.TokenEstimator;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Notes that any model or agent writes during a run (the planner's decisions, a task's findings,
 * the judge's reasons) and that later prompts receive when relevant, whoever their vendor.
 *
 * <p>Search is keyword ranking done here in Java over the most recent {@value #MAX_CANDIDATES}
 * notes, so it is the same on SQLite and PostgreSQL: query and notes are cut into stemmed terms
 * ({@link Keywords}); a note scores the sum, over the query terms it contains, of the term's
 * inverse document frequency among the candidates times a saturating term frequency. Rare terms
 * therefore count for more than common ones; equal scores go to the newer note.
 */
public final class SharedMemory {
    /** Longest note text kept: a note is a sentence or a paragraph, not a transcript. */
    public static final int MAX_TEXT = 2_000;
    static final int MAX_TAGS = 16;
    /** How many recent notes a search ranks; older ones are out of reach of search (not of list). */
    static final int MAX_CANDIDATES = 5_000;
    /** Term-frequency saturation (BM25's k1): a second mention counts for less than the first. */
    private static final double K1 = 1.2;
    static final String CONTEXT_HEADER = "Shared memory (notes from earlier steps):";

    private static final String COLUMNS = "id, created_at, run_id, task_id, author, vendor, kind, text, tags";
    private static final String INSERT = """
            INSERT INTO notes (created_at, run_id, task_id, author, vendor, kind, text, tags)
            VALUES (:createdAt, :runId, :taskId, :author, :vendor, :kind, :text, :tags)""";

    private final Store store;
    private final Clock clock;
    private final Redactor redactor;

    public SharedMemory(Store store) {
        this(store, Clock.systemUTC(), Redactor.global());
    }

    public SharedMemory(Store store, Clock clock, Redactor redactor) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    /** Stores a note: text and tags redacted first, then the text bounded to {@value #MAX_TEXT} characters. */
    public Note add(NoteDraft draft) {
        String text = bound(redactor.redact(draft.text().strip()));
        List<String> tags = tags(draft.tags());
        String joinedTags = String.join(",", tags);
        // Truncated to what the store keeps, so the returned note equals the one read back.
        Instant now = UtcText.parse(UtcText.format(clock.instant()));
        String runId = redactor.redact(draft.runId());
        String taskId = redactor.redact(draft.taskId());
        String author = redactor.redact(draft.author());
        String vendor = redactor.redact(draft.vendor());
        long id = store.write(handle -> handle.createUpdate(INSERT)
                .bind("createdAt", UtcText.format(now))
                .bind("runId", runId)
                .bind("taskId", taskId)
                .bind("author", author)
                .bind("vendor", vendor)
                .bind("kind", draft.kind().key())
                .bind("text", text)
                .bind("tags", joinedTags)
                .executeAndReturnGeneratedKeys("id")
                // By position: SQLite's driver names the key column last_insert_rowid(), PostgreSQL's id.
                .map((rs, ctx) -> rs.getLong(1))
                .one());
        return new Note(id, now, runId, taskId, author, vendor, draft.kind(), text, tags);
    }

    /** The newest notes first, of one run or of all. */
    public List<Note> list(Optional<String> runId, int limit) {
        if (limit <= 0) return List.of();
        String sql = "SELECT " + COLUMNS + " FROM notes" + (runId.isPresent() ? " WHERE run_id = :runId" : "")
                + " ORDER BY created_at DESC, id DESC LIMIT :limit";
        return store.jdbi().withHandle(handle -> {
            var query = handle.createQuery(sql).bind("limit", limit);
            runId.ifPresent(r -> query.bind("runId", r));
            // A row ensemble did not write (a bad timestamp or kind) is skipped with a warning, never a crash of every later command.
            return query.map((rs, ctx) -> readable(rs)).list().stream().flatMap(Optional::stream).toList();
        });
    }

    private static final java.util.Set<Long> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static Optional<Note> readable(ResultSet rs) throws SQLException {
        try {
            return Optional.of(note(rs));
        } catch (RuntimeException e) {
            long id = rs.getLong("id");
            if (WARNED.add(id)) {
                System.err.println("ensemble: warning: skipped shared-memory note " + id + ", which ensemble cannot read ("
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + first80(e.getMessage()))
                        + "); it was not written by ensemble as it is");
            }
            return Optional.empty();
        }
    }

    private static String first80(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 80) + "…" : line;
    }

    /** Notes that share terms with {@code query}, best first; notes that share none are left out. */
    public List<ScoredNote> search(String query, int limit) {
        if (limit <= 0) return List.of();
        List<ScoredNote> ranked = rank(query, list(Optional.empty(), MAX_CANDIDATES));
        return ranked.size() <= limit ? ranked : List.copyOf(ranked.subList(0, limit));
    }

    /**
     * The notes most relevant to a prompt as a block to put before it: the same run's notes first,
     * then the rest of the repository's, each group best first, as many as fit in {@code maxTokens}
     * (counted with {@link TokenEstimator}). Empty when nothing relevant fits.
     */
    public String relevantContext(String prompt, Optional<String> runId, int maxTokens) {
        List<ScoredNote> ranked = rank(prompt, list(Optional.empty(), MAX_CANDIDATES));
        if (ranked.isEmpty()) return "";
        List<ScoredNote> ordered = new ArrayList<>(ranked.size());
        runId.ifPresent(run -> ranked.stream().filter(s -> s.note().runId().equals(run)).forEach(ordered::add));
        ranked.stream().filter(s -> runId.isEmpty() || !s.note().runId().equals(runId.get())).forEach(ordered::add);

        StringBuilder block = new StringBuilder(CONTEXT_HEADER).append('\n');
        int used = TokenEstimator.count(block.toString());
        int lines = 0;
        for (ScoredNote hit : ordered) {
            String line = "- [" + hit.note().attribution() + "] " + oneLine(hit.note().text()) + "\n";
            // Counted together with what precedes it: a tokenizer may merge across the join.
            int next = TokenEstimator.count(block + line);
            if (next > maxTokens) continue;
            block.append(line);
            used = next;
            lines++;
        }
        return lines == 0 || used > maxTokens ? "" : block.toString();
    }

    List<ScoredNote> rank(String query, List<Note> candidates) {
        Set<String> queryTerms = new LinkedHashSet<>(Keywords.terms(query));
        if (queryTerms.isEmpty() || candidates.isEmpty()) return List.of();
        List<List<String>> noteTerms = new ArrayList<>(candidates.size());
        Map<String, Integer> documentFrequency = new HashMap<>();
        for (Note note : candidates) {
            List<String> terms = Keywords.terms(note.text() + " " + String.join(" ", note.tags()));
            noteTerms.add(terms);
            for (String q : queryTerms) {
                if (terms.stream().anyMatch(t -> Keywords.matches(q, t))) documentFrequency.merge(q, 1, Integer::sum);
            }
        }
        int n = candidates.size();
        List<ScoredNote> hits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double score = 0;
            for (String q : queryTerms) {
                long tf = noteTerms.get(i).stream().filter(t -> Keywords.matches(q, t)).count();
                if (tf == 0) continue;
                int df = documentFrequency.get(q);
                // BM25's idf: positive however common the term, and falling steeply as it spreads.
                double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
                score += idf * (tf * (K1 + 1)) / (tf + K1);
            }
            if (score > 0) hits.add(new ScoredNote(candidates.get(i), score));
        }
        hits.sort(Comparator.comparingDouble(ScoredNote::score).reversed()
                .thenComparing((ScoredNote s) -> s.note().createdAt(), Comparator.reverseOrder())
                .thenComparing((ScoredNote s) -> s.note().id(), Comparator.reverseOrder()));
        return hits;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    private static String bound(String text) {
        text = dev.ensemble.core.Redactor.global().redact(text);  // masked before it is cut
        if (text.length() <= MAX_TEXT) return text;
        return text.substring(0, MAX_TEXT - 1) + "…";
    }

    private List<String> tags(List<String> raw) {
        Set<String> tags = new LinkedHashSet<>();
        for (String tag : raw) {
            if (tag == null) continue;
            for (String part : tag.split(",")) {
                String clean = redactor.redact(part.strip()).toLowerCase(Locale.ROOT);
                if (!clean.isEmpty() && tags.size() < MAX_TAGS) tags.add(clean.length() > 64 ? clean.substring(0, 64) : clean);
            }
        }
        return List.copyOf(tags);
    }

    private static Note note(ResultSet rs) throws SQLException {
        String tags = rs.getString("tags");
        return new Note(rs.getLong("id"), UtcText.parse(rs.getString("created_at")), rs.getString("run_id"), rs.getString("task_id"),
                rs.getString("author"), rs.getString("vendor"), NoteKind.fromKey(rs.getString("kind")), rs.getString("text"),
                tags == null || tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")));
    }
}
