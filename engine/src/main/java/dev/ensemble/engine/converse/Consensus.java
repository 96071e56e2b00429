package dev.ensemble.engine.converse;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Usage;
import dev.ensemble.core.routing.Classifier;
import dev.ensemble.core.routing.Costs;
import dev.ensemble.core.routing.Role;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.TokenEstimator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks several models the same question, each on its own virtual thread and none seeing another's
 * answer (a model shown its peers' answers tends to agree with them, which is the conformity a
 * consensus must avoid); then one more model, of another vendor where one is usable, synthesizes:
 * where the answers agree, where they differ, a final answer and a confidence.
 *
 * <p>A panelist whose whole fallback chain fails is reported and left out; the synthesis needs at
 * least two answers. Every call goes through the {@link dev.ensemble.llm.ChatModels} stack, so it
 * is recorded in the ledger (command {@code consensus}, role {@code panelist} or
 * {@code synthesizer}) and checked against the budgets and local-only mode.
 */
public final class Consensus {
    public static final int DEFAULT_SIZE = 3;
    /** More voices cost more and add little; and the blind labels run A to H. */
    public static final int MAX_SIZE = 8;
    public static final String COMMAND = "consensus";

    static final String PANEL_SYSTEM = "Answer the question on your own, as well as you can. Be direct and concrete, "
            + "and say what you are unsure of.";
    static final String SYNTHESIS_SYSTEM = """
            You synthesize a panel. Several models answered the same question independently, none seeing another's \
            answer. Compare them: what they agree on, where they differ (say which answer says what), and give the \
            best final answer, correcting any answer that is wrong.
            Reply with one JSON object and nothing else:
            {"agree": ["..."], "differ": ["..."], "final": "...", "confidence": 0.0}
            confidence is a number from 0 to 1: how likely your final answer is right; lower it where the answers \
            disagree and you cannot tell which is right.""";
    static final String BLIND_NOTE = "\nThe answers are anonymous: judge them on their content alone.";

    private final RoleModels roleModels;

    public Consensus(RoleModels roleModels) {
        this.roleModels = roleModels;
    }

    /** Receives progress; called from the panel's threads. */
    public interface Listener {
        Listener NONE = new Listener() { };

        default void onAnswer(PanelAnswer answer) { }

        default void onFailure(PanelFailure failure) { }

        default void onSynthesizing(ModelSpec synthesizer) { }
    }

    /**
     * The role whose kind the question is: it decides how the router ranks the panel and how long
     * an answer may be.
     */
    public Role roleFor(String question) {
        TaskKind kind = Classifier.standard().classify(question).kind();
        Roles roles = roleModels.roles();
        return roles.forKind(kind).orElse(roles.require(Roles.PLANNER));
    }

    /**
     * The panel: the models named (each a model id or alias, used as given), or with none named
     * the router's {@code size} best usable models for the question's kind, from different families
     * where it can.
     *
     * @throws IllegalArgumentException for an empty question, an unknown or unservable model, a name
     *                                  given twice, fewer than two models, or more than {@link #MAX_SIZE}
     */
    public List<Panelist> panel(String question, List<String> names, int size) {
        if (question == null || question.isBlank()) throw new IllegalArgumentException("the question is empty");
        Role role = roleFor(question);
        if (names.isEmpty()) {
            if (size < 2 || size > MAX_SIZE) {
                throw new IllegalArgumentException("a panel has 2 to " + MAX_SIZE + " models (asked for " + size + ")");
            }
            List<RoleModels.Cast> casts = roleModels.panel(role.id(), question, size);
            if (casts.size() < 2) {
                throw new IllegalArgumentException("a consensus needs at least 2 usable models; only "
                        + casts.getFirst().lead().id() + " can answer " + role.kind().key()
                        + " questions now (add a key or a local model, or name models with --models)");
            }
            return casts.stream().map(c -> new Panelist(c.lead().id(), c)).toList();
        }
        if (names.size() < 2) throw new IllegalArgumentException("a consensus needs at least 2 models (got " + names.size() + ")");
        if (names.size() > MAX_SIZE) throw new IllegalArgumentException("a panel has at most " + MAX_SIZE + " models (got " + names.size() + ")");
        Set<String> seen = new HashSet<>();
        List<Panelist> panel = new ArrayList<>();
        for (String name : names) {
            if (name.isBlank()) throw new IllegalArgumentException("an empty model name in the list");
            if (!seen.add(name)) throw new IllegalArgumentException(name + " is named twice: each model answers once");
            panel.add(new Panelist(name, roleModels.cast(role.id(), question, Optional.of(name))));
        }
        return List.copyOf(panel);
    }

    /**
     * Who synthesizes: the model named, else the reviewer role's model, routed to a family none of
     * the panelists' lead models belong to where such a model is usable (a judge of another vendor
     * does not favour its own vendor's answer).
     */
    public RoleModels.Cast synthesizer(String question, List<Panelist> panel, Optional<String> override) {
        Set<String> families = new LinkedHashSet<>();
        for (Panelist p : panel) families.add(p.cast().lead().family());
        return roleModels.cast(Roles.REVIEWER, question, override, families);
    }

    /**
     * The most the whole consensus can cost: every panelist's dearest model at its output cap, and
     * the synthesizer reading all those answers.
     */
    public double worstCaseUsd(String question, List<Panelist> panel, RoleModels.Cast synthesizer) {
        long panelInput = TokenEstimator.count(PANEL_SYSTEM + question);
        double total = 0;
        long answersTokens = 0;
        for (Panelist p : panel) {
            int cap = p.cast().role().maxOutputTokens();
            total += p.cast().chain().stream().mapToDouble(m -> Costs.worstCaseUsd(m, panelInput, cap)).max().orElse(0);
            answersTokens += p.cast().chain().stream().mapToLong(m -> cap > 0 ? Math.min(cap, m.maxOutputTokens()) : m.maxOutputTokens())
                    .max().orElse(0);
        }
        long synthesisInput = TokenEstimator.count(SYNTHESIS_SYSTEM + question) + answersTokens;
        int cap = synthesizer.role().maxOutputTokens();
        return total + synthesizer.chain().stream().mapToDouble(m -> Costs.worstCaseUsd(m, synthesisInput, cap)).max().orElse(0);
    }

    /**
     * Runs the consensus: the panel in parallel, then the synthesis.
     *
     * @throws ModelException of kind INTERRUPTED when the thread is interrupted (the panel's calls are cancelled)
     */
    public ConsensusResult run(String question, List<Panelist> panel, RoleModels.Cast synthesizer, boolean blind, Listener listener) {
        List<PanelAnswer> answers = new ArrayList<>();
        List<PanelFailure> failures = new ArrayList<>();
        for (Object outcome : askAll(question, panel, listener)) {
            switch (outcome) {
                case PanelAnswer a -> answers.add(a);
                case PanelFailure f -> failures.add(f);
                default -> throw new IllegalStateException("unexpected outcome " + outcome);
            }
        }
        if (answers.size() < 2) {
            String problem = answers.isEmpty() ? "no panelist answered"
                    : "only 1 of " + panel.size() + " panelists answered; a consensus needs at least 2";
            return new ConsensusResult(question, blind, answers, failures, Optional.empty(), problem);
        }
        listener.onSynthesizing(synthesizer.lead());
        ChatRequest request = ChatRequest.of(List.of(
                        ChatMessage.system(SYNTHESIS_SYSTEM + (blind ? BLIND_NOTE : "")),
                        ChatMessage.user(synthesisPrompt(question, answers, blind, blind ? scrubbed(panel, answers)
                                : answers.stream().map(PanelAnswer::text).toList()))))
                .withMaxOutputTokens(synthesizer.role().maxOutputTokens())
                .withContext(CallContext.of(COMMAND).withRole("synthesizer"));
        ChatResponse response;
        try {
            response = synthesizer.model().chat(request);
        } catch (ModelException e) {
            if (e.kind() == ModelException.Kind.INTERRUPTED) throw e;
            return new ConsensusResult(question, blind, answers, failures, Optional.empty(),
                    "the synthesizer failed: " + Redactor.global().redact(String.valueOf(e.getMessage())));
        }
        Synthesis synthesis = Synthesis.of(SynthesisParser.parse(response.text()), response.modelId(), response.text(),
                response.usage(), cost(response), response.latency(), response.failures());
        return new ConsensusResult(question, blind, answers, failures, Optional.of(synthesis), "");
    }

    /** Every panelist's outcome (a {@link PanelAnswer} or a {@link PanelFailure}), in panel order. */
    private List<Object> askAll(String question, List<Panelist> panel, Listener listener) {
        // Every panelist gets the same request: the question alone, never a peer's answer.
        ChatRequest request = ChatRequest.of(List.of(ChatMessage.system(PANEL_SYSTEM), ChatMessage.user(question)))
                .withContext(CallContext.of(COMMAND).withRole("panelist"));
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < panel.size(); i++) {
                Panelist p = panel.get(i);
                String label = label(i);
                ChatRequest own = request.withMaxOutputTokens(p.cast().role().maxOutputTokens());
                futures.add(pool.submit(() -> ask(label, p, own, listener)));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> f : futures) outcomes.add(f.get());
            return outcomes;
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            throw new ModelException(ModelException.Kind.INTERRUPTED, "consensus interrupted; the panel's calls were cancelled");
        } catch (ExecutionException e) {
            // ask() turns every failure into an outcome; this is a bug, not a model's failure.
            throw new IllegalStateException("a panelist's thread failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    private Object ask(String label, Panelist p, ChatRequest request, Listener listener) {
        try {
            ChatResponse r = p.cast().model().chat(request);
            PanelAnswer answer = new PanelAnswer(label, p.name(), r.modelId(), r.text(), r.usage(), cost(r), r.latency(), r.failures());
            listener.onAnswer(answer);
            return answer;
        } catch (ModelException e) {
            PanelFailure failure = new PanelFailure(label, p.name(), e.kind(), Redactor.global().redact(String.valueOf(e.getMessage())));
            listener.onFailure(failure);
            return failure;
        } catch (RuntimeException e) {
            // One broken panelist must not sink the others: reported like a server error.
            PanelFailure failure = new PanelFailure(label, p.name(), ModelException.Kind.SERVER_ERROR,
                    Redactor.global().redact(e.getClass().getSimpleName() + ": " + e.getMessage()));
            listener.onFailure(failure);
            return failure;
        }
    }

    private double cost(ChatResponse response) {
        Usage usage = response.usage();
        return roleModels.models().catalog().model(response.modelId()).map(m -> m.costUsd(usage)).orElse(0.0);
    }

    /** "A", "B", … by panel position. */
    static String label(int index) {
        return String.valueOf((char) ('A' + index));
    }

    /**
     * The synthesizer's question. Each answer ({@code texts}, in the order of {@code answers}) is
     * headed by its label, and unless {@code blind} by the model that gave it.
     */
    static String synthesisPrompt(String question, List<PanelAnswer> answers, boolean blind, List<String> texts) {
        StringBuilder prompt = new StringBuilder("Question:\n").append(question.strip()).append("\n\n");
        for (int i = 0; i < answers.size(); i++) {
            PanelAnswer a = answers.get(i);
            prompt.append("--- Answer ").append(a.label());
            if (!blind) prompt.append(" (from ").append(a.model()).append(')');
            prompt.append(" ---\n").append(texts.get(i).strip()).append("\n\n");
        }
        prompt.append("Compare the ").append(answers.size()).append(" answers and reply with the JSON object.");
        return prompt.toString();
    }

    /**
     * The answers with every panel model's id and wire name taken out, so that an answer that
     * names its own model ("as gpt-5, I…") does not unblind the synthesizer.
     */
    private static List<String> scrubbed(List<Panelist> panel, List<PanelAnswer> answers) {
        Set<String> names = new HashSet<>();
        for (Panelist p : panel) {
            names.add(p.name());
            for (ModelSpec m : p.cast().chain()) {
                names.add(m.id());
                names.add(m.wireName());
            }
        }
        for (PanelAnswer a : answers) names.add(a.model());
        List<String> longestFirst = names.stream().filter(n -> n.length() >= 3).sorted(Comparator.comparingInt(String::length).reversed()).toList();
        List<String> texts = new ArrayList<>();
        for (PanelAnswer a : answers) {
            String text = a.text().isBlank() ? "(empty answer)" : a.text();
            for (String name : longestFirst) {
                text = Pattern.compile(Pattern.quote(name), Pattern.CASE_INSENSITIVE).matcher(text).replaceAll(Matcher.quoteReplacement("[a model]"));
            }
            texts.add(text);
        }
        return texts;
    }
}
