package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.UnusableModel;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Ask one model, or an alias's fallback chain, a question.",
                "The answer is streamed to stdout; then one line on stderr: model, tokens, cost, latency, time to first "
                        + "token and any fallback."})
final class AskCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "PROMPT", description = "The prompt; '-' reads it from standard input.")
    String prompt;

    @ArgGroup(exclusive = true)
    Target target = new Target();

    static final class Target {
        @Option(names = "--model", paramLabel = "M", description = "A model id from `ensemble models` (or an alias).")
        String model;

        @Option(names = "--alias", paramLabel = "A", description = "An alias: an ordered fallback chain, such as coding-model.")
        String alias;
    }

    @Option(names = "--system", paramLabel = "S", description = "A system prompt.")
    String system;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Most tokens to generate (default: the model's maximum).")
    int maxTokens;

    @Option(names = "--no-stream", description = "Wait for the whole answer instead of streaming it.")
    boolean noStream;

    @Option(names = "--json", description = "Print one JSON object (answer, model, usage, cost, timing, failures).")
    boolean json;

    @Option(names = "--local", description = "Only local models (as `ensemble --local ask`).")
    boolean local;

    @Option(names = {"-y", "--yes"}, description = "Approve a worst-case cost above the approve_above_usd budget limit without asking.")
    boolean yes;

    @Override
    public Integer call() throws IOException {
        AppContext app = main.app();
        if (local) app.overrideLocalOnly(true);
        Terminal term = app.terminal();
        String text = Inputs.argOrStdin(prompt);
        if (text.isBlank()) throw new UserInputException("the prompt is empty");
        String name = target.alias != null ? target.alias : target.model != null ? target.model : app.config().defaultModel();
        if (target.alias != null && !app.config().catalog().isAlias(name)) {
            throw new UserInputException("'" + name + "' is not an alias (aliases: " + String.join(", ", app.config().catalog().aliases().keySet()) + ")");
        }
        ChatModel model;
        List<ModelSpec> servable;
        try {
            // Checked from the configuration alone, so bad input opens no store.
            servable = ChatModels.servable(app.config().catalog(), name, app.config().localOnly());
            // Nothing of the chain can be called (no key, no local server, nothing pulled): said
            // before the store is opened, so a machine without a model gets no .ensemble/ from asking.
            Optional<ModelException> none = app.usability().noneUsable(null, servable);
            if (none.isPresent()) throw none.get();
            model = app.models().model(name);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) messages.add(ChatMessage.system(system));
        messages.add(ChatMessage.user(text));
        ChatRequest request = ChatRequest.of(messages).withMaxOutputTokens(Math.max(0, maxTokens))
                .withContext(CallContext.of("ask"));
        // The forecast of one question: the dearest model of the chain at its worst case, among
        // those that can be called (a model without a key costs nothing: it is skipped).
        double worst = servable.stream().filter(m -> app.usability().check(m).isEmpty())
                .mapToDouble(m -> BudgetGuard.worstCaseUsd(m, request)).max().orElse(0);
        Approval.require(app, "this question", worst, yes);

        boolean streamToTerminal = !noStream && !json;
        StreamListener listener = json || noStream ? null : new TerminalListener(term);
        if (json && !noStream) listener = delta -> { };  // still streamed, to measure the time to the first token
        ChatResponse response = model.chat(request, listener);

        if (json) {
            term.printJson(toJson(response, app));
            return ExitCodes.OK;
        }
        if (!streamToTerminal) term.out().print(response.text());
        if (!response.text().endsWith("\n")) term.out().println();
        for (ToolCall call : response.toolCalls()) term.out().println("[tool call] " + call.name() + " " + call.argumentsJson());
        term.err().println(term.dim(summary(response, app)));
        return ExitCodes.OK;
    }

    static String summary(ChatResponse response, AppContext app) {
        ModelSpec spec = app.config().catalog().model(response.modelId()).orElse(null);
        double cost = spec == null ? 0 : spec.costUsd(response.usage());
        StringBuilder line = new StringBuilder();
        line.append(response.modelId())
                .append(" · ").append(Format.tokens(response.usage().inputTokens())).append(" in");
        if (response.usage().cachedInputTokens() > 0) line.append(" (").append(Format.tokens(response.usage().cachedInputTokens())).append(" cached)");
        line.append(" / ").append(Format.tokens(response.usage().outputTokens())).append(" out")
                .append(" · ").append(Format.usd(cost))
                .append(" · ").append(Format.duration(response.latency()))
                .append(" · first token ").append(Format.duration(response.timeToFirstToken()));
        if (!response.failures().isEmpty()) {
            // Three retries of one model read better as one entry with a count.
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (FailedAttempt f : response.failures()) counts.merge(f.modelId() + " " + f.kind().label().toLowerCase(Locale.ROOT), 1, Integer::sum);
            List<String> reasons = new ArrayList<>();
            counts.forEach((reason, n) -> reasons.add(n == 1 ? reason : reason + " ×" + n));
            line.append(" · fallback after: ").append(String.join(", ", reasons));
        }
        return line.toString();
    }

    private static ObjectNode toJson(ChatResponse response, AppContext app) {
        ModelSpec spec = app.config().catalog().model(response.modelId()).orElse(null);
        ObjectNode root = HttpTransport.JSON.createObjectNode();
        root.put("model", response.modelId());
        root.put("text", response.text());
        ArrayNode calls = root.putArray("tool_calls");
        for (ToolCall call : response.toolCalls()) calls.addObject().put("id", call.id()).put("name", call.name()).put("arguments", call.argumentsJson());
        root.put("finish_reason", response.finishReason().name().toLowerCase(Locale.ROOT));
        root.putObject("usage").put("input_tokens", response.usage().inputTokens())
                .put("output_tokens", response.usage().outputTokens())
                .put("cached_input_tokens", response.usage().cachedInputTokens());
        root.put("cost_usd", spec == null ? 0 : spec.costUsd(response.usage()));
        root.put("latency_ms", response.latency().toMillis());
        root.put("time_to_first_token_ms", response.timeToFirstToken().toMillis());
        ArrayNode failures = root.putArray("failures");
        for (FailedAttempt f : response.failures()) {
            failures.addObject().put("model", f.modelId()).put("attempt", f.attempt()).put("fallback_step", f.fallbackStep())
                    .put("kind", f.kind().name().toLowerCase(Locale.ROOT)).put("reason", f.reason());
        }
        // Models of the chain passed over without an attempt (no key, server not answering, not pulled).
        ArrayNode skipped = root.putArray("skipped");
        for (UnusableModel u : response.skipped()) {
            skipped.addObject().put("model", u.modelId()).put("reason", u.reasonKey()).put("detail", u.why());
        }
        return root;
    }


    /** Prints the answer as it arrives; says so when an attempt fails and another takes over. */
    private static final class TerminalListener implements StreamListener {
        private final Terminal term;
        private boolean midLine;
        private boolean printedSinceFailure;

        TerminalListener(Terminal term) {
            this.term = term;
        }

        @Override public void onText(String delta) {
            term.out().print(delta);
            term.out().flush();
            midLine = !delta.endsWith("\n");
            printedSinceFailure = true;
        }

        @Override public void onAttemptFailed(FailedAttempt failure) {
            if (midLine) term.out().println();
            term.err().println(term.yellow("[" + failure
                    + (printedSinceFailure ? " — the partial answer above is discarded" : "") + "]"));
            midLine = false;
            printedSinceFailure = false;
        }
    }
}
