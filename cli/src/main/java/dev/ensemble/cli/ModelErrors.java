package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.UnusableModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * How every command reports a model failure: one line saying what failed, and for
 * {@link ModelException.Kind#NO_USABLE_MODEL} a last line with the next step (set a key, start or
 * pull a local model, or ask {@code ensemble doctor}). {@link Main} renders what reaches it this
 * way; a command that catches a {@link ModelException} itself calls {@link #print} too, so the
 * wording and the exit status are the same everywhere.
 */
final class ModelErrors {
    /** When a failure does not say which models it could not use. */
    static final String GENERIC_NEXT_STEP = "next: `ensemble doctor` shows what is missing; set a key with "
            + "`ensemble secrets set ANTHROPIC_API_KEY`, or `ollama pull qwen3-coder:30b`";

    private ModelErrors() {}

    /**
     * Fails with {@link ModelException.Kind#NO_USABLE_MODEL} when no model of the catalog (in
     * local-only mode: no local one) can be called at all: what commands that cast roles (chat,
     * consensus, review, precommit, pipeline) check before they open the store. Stops at the first
     * usable model, so a machine with a key pays one lookup.
     */
    static void requireAnyUsable(AppContext app) {
        List<ModelSpec> servable = servable(app.config().catalog().models().values(), app.config().localOnly());
        if (servable.isEmpty()) return;  // the casting says what to add
        // Ollama's list of pulled models is asked once per process (discovery asked it already).
        Optional<ModelException> none = app.usability().noneUsable(null, servable, true);
        if (none.isPresent()) throw none.get();
    }

    /** The models a command may call at all: every one, or in local-only mode the local ones. */
    static List<ModelSpec> servable(Collection<ModelSpec> models, boolean localOnly) {
        return models.stream().filter(m -> !localOnly || m.local()).toList();
    }

    /** Prints {@code e} on stderr and gives the exit status for it. */
    static int print(Terminal term, ModelException e) {
        String message = Redactor.global().redact(String.valueOf(e.getMessage()));
        if (e.kind() == ModelException.Kind.NO_USABLE_MODEL) {
            term.err().println(term.red("ensemble: ") + message + " (nothing was sent)");
            term.err().println(nextStep(e.unusable()));
            return ExitCodes.NO_MODEL;
        }
        term.err().println(term.red("ensemble: ") + message);
        return e.kind() == ModelException.Kind.INTERRUPTED ? ExitCodes.INTERRUPTED : ExitCodes.FAILED;
    }

    /**
     * The one line that says what to do, from what was missing: the key of the first model that
     * lacked one, {@code ollama serve} when Ollama was not answering, {@code ollama pull} for the
     * first model it had not pulled; always {@code ensemble doctor} for the whole picture.
     */
    static String nextStep(List<UnusableModel> unusable) {
        if (unusable.isEmpty()) return GENERIC_NEXT_STEP;
        List<String> steps = new ArrayList<>();
        first(unusable, UnusableModel.Reason.NO_KEY)
                .ifPresent(m -> steps.add("set a key with `ensemble secrets set " + m.detail() + "`"));
        Optional<UnusableModel> silent = first(unusable, UnusableModel.Reason.NOT_ANSWERING);
        Optional<UnusableModel> unpulled = first(unusable, UnusableModel.Reason.NOT_PULLED);
        if (silent.isPresent()) {
            UnusableModel m = silent.get();
            steps.add(m.ollama() ? "start Ollama with `ollama serve`" : "start " + m.serverName() + " at " + m.detail());
        }
        unpulled.ifPresent(m -> steps.add("`ollama pull " + m.wireName() + "`"));
        if (steps.isEmpty() && first(unusable, UnusableModel.Reason.LOCAL_ONLY).isPresent()) {
            steps.add("pull a local model (`ollama pull qwen3-coder:30b`) or leave local-only mode (`--no-local`)");
        }
        String doctor = "`ensemble doctor` shows what is missing";
        return "next: " + doctor + (steps.isEmpty() ? "" : "; " + String.join(", or ", steps));
    }

    private static Optional<UnusableModel> first(List<UnusableModel> unusable, UnusableModel.Reason reason) {
        return unusable.stream().filter(m -> m.reason() == reason).findFirst();
    }
}
