package dev.ensemble.cli;

import dev.ensemble.engine.memory.Note;
import dev.ensemble.engine.memory.NoteDraft;
import dev.ensemble.engine.memory.NoteKind;
import dev.ensemble.engine.memory.ScoredNote;
import dev.ensemble.engine.memory.SharedMemory;
import dev.ensemble.llm.http.HttpTransport;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** `ensemble memory list|add|search`: the notes models, agents and people share across a run and across runs. */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"Read and write the notes models and agents share.",
                "Facts, decisions, conventions, findings and reasons that models and agents write during a run, and "
                        + "that later prompts receive when relevant, whichever vendor's model reads them."},
        subcommands = {MemoryCommand.ListNotes.class, MemoryCommand.AddNote.class, MemoryCommand.SearchNotes.class})
final class MemoryCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(main.app().terminal().out());
        return ExitCodes.OK;
    }

    SharedMemory memory() {
        return new SharedMemory(main.app().store());
    }

    Terminal terminal() {
        return main.app().terminal();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the notes, newest first.")
    static final class ListNotes implements Callable<Integer> {
        @ParentCommand MemoryCommand parent;

        @Option(names = "--run", paramLabel = "R", description = "Only the notes of this run.")
        String run;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N notes (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            checkLimit(limit);
            Terminal term = parent.terminal();
            List<Note> notes = parent.memory().list(Optional.ofNullable(run), limit);
            if (json) {
                ArrayNode array = HttpTransport.JSON.createArrayNode();
                notes.forEach(n -> json(array.addObject(), n));
                term.printJson(array);
                return ExitCodes.OK;
            }
            if (notes.isEmpty()) {
                term.out().println("No notes" + (run == null ? "" : " in run " + run) + ". Add one with `ensemble memory add \"text\"`.");
                return ExitCodes.OK;
            }
            notes.forEach(n -> show(term, n, ""));
            return ExitCodes.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a note (author: user).")
    static final class AddNote implements Callable<Integer> {
        @ParentCommand MemoryCommand parent;

        @Option(names = "--kind", paramLabel = "K", defaultValue = "fact",
                description = "fact, decision, convention, finding or reason (default: ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--tags", paramLabel = "TAG", split = ",", description = "Keywords, comma-separated; searched like the text.")
        List<String> tags;

        @Option(names = "--run", paramLabel = "R", description = "The run the note belongs to (default: none, repository-wide).")
        String run;

        @Option(names = "--json", description = "Print the stored note as JSON.")
        boolean json;

        @Parameters(paramLabel = "TEXT", arity = "1..*", description = "The note.")
        List<String> words;

        @Override
        public Integer call() {
            NoteKind noteKind;
            try {
                noteKind = NoteKind.fromKey(kind);
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--kind: " + e.getMessage());
            }
            String text = String.join(" ", words).strip();
            if (text.isEmpty()) throw new UserInputException("a note needs text");
            Note note = parent.memory().add(NoteDraft.byUser(Optional.ofNullable(run), noteKind, text, tags == null ? List.of() : tags));
            Terminal term = parent.terminal();
            if (json) {
                ObjectNode node = HttpTransport.JSON.createObjectNode();
                json(node, note);
                term.printJson(node);
            } else {
                term.out().println("Added note #" + note.id() + " (" + note.kind().key() + ")"
                        + (note.runId().isEmpty() ? "" : " to run " + note.runId()) + ".");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = {"Search the notes, best match first.",
                    "Notes that share words with the query: rarer words weigh more, ties go to the newer note."})
    static final class SearchNotes implements Callable<Integer> {
        @ParentCommand MemoryCommand parent;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "10", description = "At most N notes (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Parameters(paramLabel = "QUERY", arity = "1..*", description = "Words to look for.")
        List<String> words;

        @Override
        public Integer call() {
            checkLimit(limit);
            Terminal term = parent.terminal();
            String query = String.join(" ", words);
            List<ScoredNote> hits = parent.memory().search(query, limit);
            if (json) {
                ArrayNode array = HttpTransport.JSON.createArrayNode();
                hits.forEach(h -> json(array.addObject().put("score", round(h.score())), h.note()));
                term.printJson(array);
                return ExitCodes.OK;
            }
            if (hits.isEmpty()) {
                term.out().println("No notes match '" + query + "'.");
                return ExitCodes.OK;
            }
            hits.forEach(h -> show(term, h.note(), String.format(Locale.ROOT, "%.2f  ", h.score())));
            return ExitCodes.OK;
        }
    }

    private static void checkLimit(int limit) {
        if (limit <= 0) throw new UserInputException("--limit must be a positive number (got " + limit + ")");
    }

    private static double round(double score) {
        return Math.round(score * 1000) / 1000.0;
    }

    /** Two lines per note: who, when and where; then the text, indented. */
    private static void show(Terminal term, Note n, String prefix) {
        String where = (n.runId().isEmpty() ? "" : "  run " + n.runId()) + (n.tags().isEmpty() ? "" : "  tags " + String.join(",", n.tags()));
        term.out().println(prefix + term.bold("#" + n.id()) + "  " + n.createdAt() + "  " + n.attribution()
                + (n.vendor().isEmpty() ? "" : " (" + n.vendor() + ")") + term.dim(where));
        Arrays.stream(n.text().split("\n")).forEach(line -> term.out().println(" ".repeat(prefix.length() + 4) + line));
    }

    private static void json(ObjectNode node, Note n) {
        node.put("id", n.id()).put("created_at", n.createdAt().toString()).put("run_id", n.runId()).put("task_id", n.taskId())
                .put("author", n.author()).put("vendor", n.vendor()).put("kind", n.kind().key()).put("text", n.text());
        ArrayNode tags = node.putArray("tags");
        n.tags().forEach(tags::add);
    }
}
