package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Usage;
import dev.ensemble.engine.converse.Consensus;
import dev.ensemble.engine.converse.ConsensusResult;
import dev.ensemble.engine.converse.PanelAnswer;
import dev.ensemble.engine.converse.PanelFailure;
import dev.ensemble.engine.converse.Panelist;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.engine.converse.Synthesis;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "consensus", mixinStandardHelpOptions = true,
        description = {"Ask several models the same question, then synthesize.",
                "Each model answers on its own and at the same time (none sees another's answer); then one more model "
                        + "(of another vendor where one is usable) lists where they agree and where they differ, and gives "
                        + "a final answer with a confidence.",
                "Without --models the router picks the best usable models of different families for the question's "
                        + "kind. A panelist that fails is reported and left out; with fewer than 2 answers there is no "
                        + "consensus (exit 1)."})
final class ConsensusCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "QUESTION", description = "The question; '-' reads it from standard input.")
    String question;

    @Option(names = "--models", split = ",", paramLabel = "M", description = "The panel: 2 to " + Consensus.MAX_SIZE
            + " model ids or aliases, comma-separated (default: routed).")
    List<String> models = new ArrayList<>();

    @Option(names = {"-n", "--size"}, paramLabel = "N", defaultValue = "" + Consensus.DEFAULT_SIZE,
            description = "How many models the router puts on the panel when --models is not given (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--synthesizer", paramLabel = "M", description = "The model (or alias) that synthesizes "
            + "(default: the reviewer role's model, of a family not on the panel where one is usable).")
    String synthesizer;

    @Option(names = "--blind", description = "Hide the model names from the synthesizer: the answers reach it as Answer A, B, C.")
    boolean blind;

    @Option(names = "--json", description = "Print one JSON object (answers, failures, synthesis, cost).")
    boolean json;

    @Option(names = "--local", description = "Only local models (as `ensemble --local consensus`).")
    boolean local;

    @Option(names = {"-y", "--yes"}, description = "Approve a worst-case cost above the approve_above_usd budget limit without asking.")
    boolean yes;

    @Override
    public Integer call() throws IOException {
        AppContext app = main.app();
        if (local) app.overrideLocalOnly(true);
        Terminal term = app.terminal();
        String text = Inputs.argOrStdin(question);
        if (text.isBlank()) throw new UserInputException("the question is empty");
        List<String> names = models.stream().map(String::strip).toList();
        checkNames(app, names);
        ModelErrors.requireAnyUsable(app);

        Consensus consensus = new Consensus(app.roleModels());
        List<Panelist> panel;
        RoleModels.Cast synth;
        try {
            panel = consensus.panel(text, names, size);
            synth = consensus.synthesizer(text, panel, Optional.ofNullable(synthesizer));
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        Approval.require(app, "this consensus", consensus.worstCaseUsd(text, panel, synth), yes);

        if (!json) {
            term.err().println(term.dim("asking " + String.join(", ", panel.stream().map(Panelist::name).toList())
                    + " in parallel; " + synth.lead().id() + " synthesizes" + (blind ? " blind" : "")));
        }
        ConsensusResult result = consensus.run(text, panel, synth, blind, json ? Consensus.Listener.NONE : new Progress(term));
        if (json) {
            term.printJson(toJson(result));
        } else {
            print(result, term);
        }
        if (!result.reached()) {
            term.err().println(term.red("ensemble: no consensus: ") + result.problem());
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    /** The named panel, checked from the configuration alone so that bad input opens no store. */
    private static void checkNames(AppContext app, List<String> names) {
        if (names.isEmpty()) return;
        if (names.size() < 2) throw new UserInputException("a consensus needs at least 2 models (--models gave " + names.size() + ")");
        if (names.size() > Consensus.MAX_SIZE) {
            throw new UserInputException("a panel has at most " + Consensus.MAX_SIZE + " models (--models gave " + names.size() + ")");
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (name.isEmpty()) throw new UserInputException("--models has an empty name");
            if (!seen.add(name)) throw new UserInputException(name + " is named twice in --models: each model answers once");
            try {
                ChatModels.servable(app.config().catalog(), name, app.config().localOnly());
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
        }
    }

    private static void print(ConsensusResult result, Terminal term) {
        for (PanelAnswer a : result.answers()) {
            term.out().println(term.bold("── " + a.label() + " · " + a.model()
                    + (a.fellBack() ? " (for " + a.panelist() + ")" : "") + " ──"));
            term.out().println(a.text().strip());
            term.out().println(term.dim(line(a.usage(), a.costUsd(), a.latency())));
            term.out().println();
        }
        for (PanelFailure f : result.failures()) {
            term.out().println(term.red("── " + f.label() + " · " + f.panelist() + ": no answer ──"));
            term.out().println(f.kind().label() + " — " + f.reason());
            term.out().println();
        }
        if (result.synthesis().isEmpty()) return;
        Synthesis s = result.synthesis().get();
        term.out().println(term.bold("══ Synthesis by " + s.model() + (result.blind() ? " (blind)" : "") + " ══"));
        if (!s.structured()) {
            term.out().println(term.dim("(the synthesizer did not answer in JSON; its reply as given:)"));
            term.out().println(s.raw().strip());
        } else {
            list(term, "Agree", s.agreements());
            list(term, "Differ", s.differences());
            term.out().println(term.bold("Final answer:"));
            term.out().println(s.finalAnswer().isBlank() ? "(none given)" : s.finalAnswer());
        }
        term.out().println(term.bold("Confidence: ") + confidence(s));
        term.err().println(term.dim(result.answers().size() + " answers + synthesis · " + Format.usd(result.totalCostUsd())
                + " · synthesis " + Format.duration(s.latency())));
    }

    private static void list(Terminal term, String heading, List<String> items) {
        term.out().println(term.bold(heading + ":"));
        if (items.isEmpty()) term.out().println("  (nothing)");
        for (String item : items) term.out().println("  • " + item);
    }

    static String confidence(Synthesis s) {
        if (s.confidence().isPresent()) return Math.round(s.confidence().getAsDouble() * 100) + "%";
        return s.confidenceText().isEmpty() ? "not given" : s.confidenceText();
    }

    private static String line(Usage usage, double cost, Duration latency) {
        return Format.tokens(usage.inputTokens()) + " in / " + Format.tokens(usage.outputTokens()) + " out · "
                + Format.usd(cost) + " · " + Format.duration(latency);
    }

    private static ObjectNode toJson(ConsensusResult result) {
        ObjectNode root = HttpTransport.JSON.createObjectNode();
        root.put("question", result.question());
        root.put("blind", result.blind());
        root.put("reached", result.reached());
        ArrayNode answers = root.putArray("answers");
        for (PanelAnswer a : result.answers()) {
            ObjectNode node = answers.addObject().put("label", a.label()).put("panelist", a.panelist()).put("model", a.model())
                    .put("text", a.text());
            tokens(node, a.usage());
            node.put("cost_usd", a.costUsd()).put("latency_ms", a.latency().toMillis());
            failures(node.putArray("failed_attempts"), a.failures());
        }
        ArrayNode failed = root.putArray("failures");
        for (PanelFailure f : result.failures()) {
            failed.addObject().put("label", f.label()).put("panelist", f.panelist())
                    .put("kind", f.kind().name().toLowerCase(Locale.ROOT)).put("reason", f.reason());
        }
        if (result.synthesis().isPresent()) {
            Synthesis s = result.synthesis().get();
            ObjectNode node = root.putObject("synthesis");
            node.put("synthesizer", s.model());
            s.agreements().forEach(node.putArray("agreements")::add);
            s.differences().forEach(node.putArray("differences")::add);
            node.put("final_answer", s.finalAnswer());
            if (s.confidence().isPresent()) node.put("confidence", s.confidence().getAsDouble());
            else if (!s.confidenceText().isEmpty()) node.put("confidence", s.confidenceText());
            else node.putNull("confidence");
            node.put("structured", s.structured());
            node.put("raw", s.raw());
            tokens(node, s.usage());
            node.put("cost_usd", s.costUsd()).put("latency_ms", s.latency().toMillis());
            failures(node.putArray("failed_attempts"), s.failures());
        } else {
            root.putNull("synthesis");
        }
        root.put("problem", result.problem());
        root.put("total_cost_usd", result.totalCostUsd());
        return root;
    }

    private static void tokens(ObjectNode node, Usage usage) {
        node.putObject("tokens").put("input", usage.inputTokens()).put("output", usage.outputTokens())
                .put("cached_input", usage.cachedInputTokens());
    }

    private static void failures(ArrayNode array, List<FailedAttempt> failures) {
        for (FailedAttempt f : failures) {
            array.addObject().put("model", f.modelId()).put("attempt", f.attempt()).put("fallback_step", f.fallbackStep())
                    .put("kind", f.kind().name().toLowerCase(Locale.ROOT)).put("reason", f.reason());
        }
    }


    /** One dim line on standard error as each panelist finishes, so a slow panel shows it is alive. */
    private record Progress(Terminal term) implements Consensus.Listener {
        @Override public void onAnswer(PanelAnswer a) {
            term.err().println(term.dim("  " + a.label() + " · " + a.model() + " answered (" + Format.duration(a.latency()) + ")"));
        }

        @Override public void onFailure(PanelFailure f) {
            term.err().println(term.yellow("  " + f.label() + " · " + f.panelist() + " failed: " + f.kind().label()
                    + "; going on without it"));
        }

        @Override public void onSynthesizing(ModelSpec synthesizer) {
            term.err().println(term.dim("  synthesizing with " + synthesizer.id() + "…"));
        }
    }
}
