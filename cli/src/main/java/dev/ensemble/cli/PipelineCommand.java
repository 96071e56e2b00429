package dev.ensemble.cli;

import dev.ensemble.core.Redactor;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.engine.io.AtomicFiles;
import dev.ensemble.engine.pipeline.PipelineDefinition;
import dev.ensemble.engine.pipeline.PipelineDocument;
import dev.ensemble.engine.pipeline.PipelineResult;
import dev.ensemble.engine.pipeline.PipelineRunner;
import dev.ensemble.engine.pipeline.PipelineStep;
import dev.ensemble.engine.pipeline.Pipelines;
import dev.ensemble.engine.pipeline.StepResult;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Run a pipeline of roles on a description.",
                "Each step's output feeds the next, and a synthesis turns them into one result document "
                        + "(.ensemble/pipelines/).",
                "Built in: feature (planner → implementer → reviewer → librarian), bugfix (planner → reviewer → "
                        + "implementer → reviewer), review (librarian → reviewer → planner); add your own under "
                        + "`pipelines:` in ensemble.yaml."})
final class PipelineCommand implements Callable<Integer> {
    static final String FOLDER = ".ensemble/pipelines";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    @ParentCommand Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The pipeline: feature, bugfix, review, or one of yours.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DESCRIPTION", description = "What to work on; '-' reads it from standard input.")
    String description;

    @Option(names = "--list", description = "List the pipelines (built-in and configured) with their steps.")
    boolean list;

    @Option(names = "--json", description = "Print one JSON object: the steps (role, model, output, tokens, cost, latency) and the synthesis.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        AppContext app = main.app();
        Terminal term = app.terminal();
        Pipelines pipelines = app.pipelines();  // checked with the whole configuration
        if (list) {
            if (json) term.printJson(listJson(pipelines));
            else printList(term, pipelines);
            return ExitCodes.OK;
        }
        if (name == null) {
            throw new UserInputException("name a pipeline: ensemble pipeline NAME \"description\" (pipelines: "
                    + String.join(", ", pipelines.all().stream().map(PipelineDefinition::name).toList()) + ")");
        }
        PipelineDefinition pipeline;
        try {
            pipeline = pipelines.require(name);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        String input = description == null ? "" : Inputs.argOrStdin(description);
        if (input.isBlank()) {
            throw new UserInputException("the description is empty: say what the " + pipeline.name()
                    + " pipeline should work on, e.g. ensemble pipeline " + pipeline.name() + " \"add a --verbose flag\"");
        }

        ModelErrors.requireAnyUsable(app);
        RoleModels roleModels = app.roleModels();
        PipelineRunner.Listener listener = json ? new PipelineRunner.Listener() { } : new TerminalListener(term);
        PipelineResult result = new PipelineRunner(roleModels, app.clock()).run(pipeline, input, listener);
        Path document = write(app.repoRoot(), result);

        if (json) {
            term.printJson(resultJson(result, app.repoRoot().relativize(document)));
        } else {
            term.err().println(term.dim(String.format(Locale.ROOT, "%d steps · %s in / %s out · %s", result.all().size(),
                    Format.tokens(result.usage().inputTokens()), Format.tokens(result.usage().outputTokens()), Format.usd(result.costUsd()))));
            term.out().println("Result document: " + app.repoRoot().relativize(document));
        }
        if (result.succeeded()) return ExitCodes.OK;
        StepResult failed = result.failure().orElseThrow();
        term.err().println(term.red("ensemble: the pipeline stopped at " + (failed.synthesis() ? "the synthesis" : "step " + failed.number()
                + " (" + failed.step().name() + ")") + ": ") + failed.error());
        return ExitCodes.FAILED;
    }

    /** {@code .ensemble/pipelines/<timestamp>-<name>.md}, never replacing an earlier run's document. */
    private static Path write(Path repoRoot, PipelineResult result) throws IOException {
        Path folder = repoRoot.resolve(FOLDER);
        String base = STAMP.format(result.startedAt()) + "-" + result.pipeline().name();
        Path target = folder.resolve(base + ".md");
        for (int n = 2; Files.exists(target); n++) target = folder.resolve(base + "-" + n + ".md");
        return AtomicFiles.write(target, Redactor.global().redact(PipelineDocument.render(result)));
    }

    private static void printList(Terminal term, Pipelines pipelines) {
        for (PipelineDefinition p : pipelines.all()) {
            String origin = p.builtIn() ? "built-in"
                    : p.source() + (pipelines.overridesBuiltIn(p.name()) ? ", replaces the built-in" : "");
            term.out().println(term.bold(p.name()) + (p.description().isEmpty() ? "" : "  " + p.description()) + "  " + term.dim("(" + origin + ")"));
            term.out().println("  " + p.outline());
        }
    }

    private static ObjectNode listJson(Pipelines pipelines) {
        ObjectNode root = HttpTransport.JSON.createObjectNode();
        ArrayNode all = root.putArray("pipelines");
        for (PipelineDefinition p : pipelines.all()) {
            ObjectNode node = all.addObject().put("name", p.name()).put("description", p.description()).put("source", p.source())
                    .put("built_in", p.builtIn()).put("overrides_built_in", pipelines.overridesBuiltIn(p.name()));
            ArrayNode steps = node.putArray("steps");
            for (PipelineStep s : p.steps()) steps.addObject().put("name", s.name()).put("role", s.role());
            node.putObject("synthesis").put("role", p.synthesis().role());
        }
        return root;
    }

    private static ObjectNode resultJson(PipelineResult result, Path document) {
        ObjectNode root = HttpTransport.JSON.createObjectNode();
        root.put("pipeline", result.pipeline().name());
        root.put("input", result.input());
        root.put("succeeded", result.succeeded());
        root.put("document", document.toString());
        ArrayNode steps = root.putArray("steps");
        for (StepResult s : result.steps()) steps.add(stepJson(s));
        if (result.synthesis().isPresent()) root.set("synthesis", stepJson(result.synthesis().get()));
        else root.putNull("synthesis");
        result.failure().ifPresent(f -> root.put("error", f.error()));
        root.putObject("usage").put("input_tokens", result.usage().inputTokens()).put("output_tokens", result.usage().outputTokens());
        root.put("cost_usd", result.costUsd());
        return root;
    }

    private static ObjectNode stepJson(StepResult s) {
        ObjectNode node = HttpTransport.JSON.createObjectNode();
        node.put("name", s.step().name()).put("role", s.step().role()).put("role_name", s.roleName()).put("model", s.model())
                .put("output", s.output());
        node.putObject("usage").put("input_tokens", s.usage().inputTokens()).put("output_tokens", s.usage().outputTokens())
                .put("cached_input_tokens", s.usage().cachedInputTokens());
        node.put("cost_usd", s.costUsd()).put("latency_ms", s.latency().toMillis());
        ArrayNode failures = node.putArray("failures");
        for (FailedAttempt f : s.failures()) {
            failures.addObject().put("model", f.modelId()).put("kind", f.kind().name().toLowerCase(Locale.ROOT)).put("reason", f.reason());
        }
        if (!s.succeeded()) node.put("error", s.error());
        return node;
    }


    /** Each step under its header as its answer arrives; a failed attempt is said, and its partial text disowned. */
    private static final class TerminalListener implements PipelineRunner.Listener {
        private final Terminal term;
        private boolean midLine;
        private boolean printedSinceFailure;

        TerminalListener(Terminal term) {
            this.term = term;
        }

        @Override public void stepStarted(int number, int total, PipelineStep step, RoleModels.Cast cast) {
            String where = number == 0 ? "synthesis" : "step " + number + "/" + total;
            term.out().println(term.cyan("[" + where + " · " + step.role() + " " + cast.role().displayName() + " · " + cast.lead().id() + "]"));
            midLine = false;
            printedSinceFailure = false;
        }

        @Override public void text(String delta) {
            term.out().print(delta);
            term.out().flush();
            midLine = !delta.endsWith("\n");
            printedSinceFailure = true;
        }

        @Override public void attemptFailed(FailedAttempt failure) {
            if (midLine) term.out().println();
            term.err().println(term.yellow("[" + failure + (printedSinceFailure ? " — the partial answer above is discarded" : "") + "]"));
            midLine = false;
            printedSinceFailure = false;
        }

        @Override public void stepFinished(StepResult result) {
            if (midLine) term.out().println();
            if (result.succeeded()) term.out().println();
            midLine = false;
        }
    }
}
