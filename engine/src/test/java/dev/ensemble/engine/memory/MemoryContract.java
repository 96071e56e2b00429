package dev.ensemble.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.Redactor;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.TokenEstimator;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shared memory's behaviour, the same on every database: subclasses supply an open store. */
abstract class MemoryContract {
    static final Instant START = Instant.parse("2026-11-20T09:00:00Z");

    protected SharedMemory memory;
    protected final Redactor redactor = new Redactor();

    protected abstract Store store();

    @BeforeEach
    void emptyMemory() {
        store().write(handle -> handle.execute("DELETE FROM notes"));
        memory = new SharedMemory(store(), new SteppingClock(START), redactor);
    }

    Note note(String run, String task, String author, String vendor, NoteKind kind, String text, String... tags) {
        return memory.add(new NoteDraft(run, task, author, vendor, kind, text, List.of(tags)));
    }

    @Test
    void notesAreListedNewestFirstAndScopedToARun() {
        Note first = note("run-1", "planner", "claude-sonnet-4-5", "anthropic", NoteKind.DECISION, "Use Flyway for migrations.", "db", "Schema");
        Note second = note("run-2", "t1", "gpt-5", "openai", NoteKind.FINDING, "The build needs JDK 21.");
        Note third = note("run-1", "judge", "gemini-2.5-pro", "google", NoteKind.REASON, "Tests were missing for the parser.");

        List<Note> all = memory.list(Optional.empty(), 10);
        assertThat(all).extracting(Note::id).containsExactly(third.id(), second.id(), first.id());
        assertThat(all.getLast()).isEqualTo(first);
        assertThat(first.tags()).containsExactly("db", "schema");
        assertThat(first.createdAt()).isEqualTo(START);
        assertThat(first.attribution()).isEqualTo("decision by claude-sonnet-4-5, planner");
        assertThat(memory.list(Optional.of("run-1"), 10)).extracting(Note::id).containsExactly(third.id(), first.id());
        assertThat(memory.list(Optional.of("run-3"), 10)).isEmpty();
        assertThat(memory.list(Optional.empty(), 2)).extracting(Note::id).containsExactly(third.id(), second.id());
        assertThat(memory.list(Optional.empty(), 0)).isEmpty();
    }

    @Test
    void aNoteWithRareMatchingTermsBeatsOnesWithCommonTerms() {
        for (int i = 0; i < 5; i++) note("run-1", "t" + i, "gpt-5", "openai", NoteKind.FACT, "The database holds table number " + i + ".");
        Note rare = note("run-1", "planner", "claude-sonnet-4-5", "anthropic", NoteKind.DECISION, "Flyway owns every schema change.");
        // Newer than the rare one and matching only the common term: recency must not rescue it.
        Note common = note("run-1", "t9", "gpt-5", "openai", NoteKind.FINDING, "Database connections are pooled.");
        note("run-1", "t10", "gpt-5", "openai", NoteKind.FACT, "Unrelated: the logo is blue.");

        List<ScoredNote> hits = memory.search("database flyway", 10);
        assertThat(hits.getFirst().note().id()).isEqualTo(rare.id());
        assertThat(hits).hasSize(7).allSatisfy(hit -> assertThat(hit.score()).isPositive());
        assertThat(hits.getFirst().score()).isGreaterThan(hits.get(1).score());
        // The common-term notes tie on score: the newest leads them.
        assertThat(hits.get(1).note().id()).isEqualTo(common.id());
        assertThat(hits).extracting(h -> h.note().text()).doesNotContain("Unrelated: the logo is blue.");
        assertThat(memory.search("database flyway", 2)).hasSize(2);
        assertThat(memory.search("the and of", 10)).as("only stop words").isEmpty();
    }

    @Test
    void recencyBreaksTiesAndStemsMeet() {
        Note older = note("", "", "user", "", NoteKind.CONVENTION, "Migrations run at startup.");
        Note newer = note("", "", "user", "", NoteKind.CONVENTION, "Migrated tables keep their names.");
        List<ScoredNote> hits = memory.search("migrating", 10);
        assertThat(hits).extracting(h -> h.note().id()).containsExactly(newer.id(), older.id());
        assertThat(hits.get(0).score()).isEqualTo(hits.get(1).score());
        // Tags are searched too, and a prefix of four or more letters finds the longer word.
        Note tagged = note("", "", "user", "", NoteKind.FACT, "Ports are fixed.", "configuration");
        assertThat(memory.search("config", 10)).extracting(h -> h.note().id()).containsExactly(tagged.id());
    }

    @Test
    void aPlantedSecretNeverReachesTheStore() {
        String secret = "sk-memory-" + "q".repeat(24);
        redactor.register(secret);
        Note note = note("run-1", "t1", "gpt-5", "openai", NoteKind.FINDING, "The key is " + secret + " in .env", secret);
        assertThat(note.text()).isEqualTo("The key is " + Redactor.MASK + " in .env");
        String row = store().jdbi().withHandle(h -> h.createQuery("SELECT text || '|' || tags FROM notes").mapTo(String.class).one());
        assertThat(row).doesNotContain(secret).contains(Redactor.MASK);
        assertThat(memory.list(Optional.empty(), 1).getFirst().tags()).containsExactly(Redactor.MASK);
    }

    @Test
    void textIsBoundedAndKindsAreChecked() {
        Note longNote = note("", "", "user", "", NoteKind.FACT, "word ".repeat(1_000));
        assertThat(longNote.text()).hasSize(SharedMemory.MAX_TEXT).endsWith("…");
        assertThat(memory.list(Optional.empty(), 1).getFirst().text()).isEqualTo(longNote.text());
        assertThatThrownBy(() -> note("", "", "user", "", NoteKind.FACT, "  ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NoteKind.fromKey("Decision")).isEqualTo(NoteKind.DECISION);
        assertThatThrownBy(() -> NoteKind.fromKey("rumour")).hasMessageContaining("expected fact, decision");
    }

    @Test
    void relevantContextPutsTheSameRunFirstAndKeepsToTheBudget() {
        // The other run's note matches the prompt better, yet the same run's note comes first.
        note("run-0", "t1", "gpt-5", "openai", NoteKind.FINDING, "The parser rejects tabs; the parser tests cover tabs.");
        note("run-1", "planner", "claude-sonnet-4-5", "anthropic", NoteKind.DECISION, "The parser is hand-written, no generator.");
        note("run-1", "t2", "gpt-5", "openai", NoteKind.FACT, "The logo is blue.");

        String context = memory.relevantContext("Write tests for the parser and its handling of tabs", Optional.of("run-1"), 500);
        assertThat(context).isEqualTo("""
                Shared memory (notes from earlier steps):
                - [decision by claude-sonnet-4-5, planner] The parser is hand-written, no generator.
                - [finding by gpt-5, t1] The parser rejects tabs; the parser tests cover tabs.
                """);
        assertThat(TokenEstimator.count(context)).isLessThanOrEqualTo(500);

        // Without a run, the better match leads.
        assertThat(memory.relevantContext("parser tabs", Optional.empty(), 500).lines().skip(1).findFirst().orElseThrow())
                .contains("finding by gpt-5");

        // A budget that holds the header and one note gets exactly one note.
        int oneNote = TokenEstimator.count("""
                Shared memory (notes from earlier steps):
                - [decision by claude-sonnet-4-5, planner] The parser is hand-written, no generator.
                """);
        String tight = memory.relevantContext("Write tests for the parser and its handling of tabs", Optional.of("run-1"), oneNote);
        assertThat(tight.lines()).hasSize(2);
        assertThat(TokenEstimator.count(tight)).isLessThanOrEqualTo(oneNote);
        assertThat(memory.relevantContext("parser", Optional.of("run-1"), 5)).isEmpty();
        assertThat(memory.relevantContext("quantum chromodynamics", Optional.of("run-1"), 500)).isEmpty();
    }
}
