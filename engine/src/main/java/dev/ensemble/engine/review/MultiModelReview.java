package dev.ensemble.engine.review;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ModelException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A review of one diff by several models at once. Each reviewer gets the diff cut to fit its
 * chain's context window ({@link #plan}); the reviewers run in parallel on virtual threads, each
 * going through its parts in turn (one model's rate limit is not multiplied); their findings are
 * parsed, checked against the diff's files, and merged ({@link FindingMerger}). A reviewer that
 * fails (a call, a malformed answer, a window too small) is reported, and the others' findings stand.
 */
public final class MultiModelReview {
    /**
     * One reviewer.
     *
     * @param model          the model to call (a fallback chain for a cast role)
     * @param chain          the models {@code model} may end up calling, for the context window and cost forecast
     * @param systemPrompt   the reviewer role's prompt
     * @param roleMaxOutput  the role's cap on an answer, 0 for none
     */
    public record Reviewer(ChatModel model, List<ModelSpec> chain, String systemPrompt, int roleMaxOutput) {
        public Reviewer {
            chain = List.copyOf(chain);
            if (chain.isEmpty()) throw new IllegalArgumentException("a reviewer needs at least one model");
        }

        public String name() {
            return chain.getFirst().id();
        }
    }

    /**
     * A reviewer's share of the work: the requests to send, or why it cannot take part.
     *
     * @param problem non-empty when the reviewer cannot review this diff (its window is too small)
     */
    public record ReviewerPlan(Reviewer reviewer, List<DiffChunk> chunks, List<ChatRequest> requests, Optional<String> problem) {
        public ReviewerPlan {
            chunks = List.copyOf(chunks);
            requests = List.copyOf(requests);
        }
    }

    /** Failures the next part would meet too: over budget, no key, refused, a cloud model in local-only mode. */
    private static final Set<ModelException.Kind> HOPELESS = java.util.EnumSet.of(ModelException.Kind.BUDGET,
            ModelException.Kind.NO_KEY, ModelException.Kind.NO_USABLE_MODEL, ModelException.Kind.AUTH, ModelException.Kind.NOT_FOUND,
            ModelException.Kind.CIRCUIT_OPEN);

    private final List<Reviewer> reviewers;

    public MultiModelReview(List<Reviewer> reviewers) {
        if (reviewers.isEmpty()) throw new IllegalArgumentException("a review needs at least one reviewer");
        this.reviewers = List.copyOf(reviewers);
    }

    /** The requests each reviewer will send for {@code diff}: what a cost forecast is made of. */
    public List<ReviewerPlan> plan(Diff diff, String scope) {
        List<ReviewerPlan> plans = new ArrayList<>();
        for (Reviewer reviewer : reviewers) {
            int answer = ReviewPrompt.answerTokens(reviewer.chain(), reviewer.roleMaxOutput());
            int budget = ReviewPrompt.diffBudget(reviewer.chain(), reviewer.systemPrompt(), scope, answer);
            try {
                if (budget <= 0) throw new IllegalArgumentException("the context window is too small for the review instructions");
                List<DiffChunk> chunks = diff.split(budget);
                List<ChatRequest> requests = chunks.stream()
                        .map(c -> ReviewPrompt.request(reviewer.systemPrompt(), scope, c, answer)).toList();
                plans.add(new ReviewerPlan(reviewer, chunks, requests, Optional.empty()));
            } catch (IllegalArgumentException e) {
                plans.add(new ReviewerPlan(reviewer, List.of(), List.of(), Optional.of(e.getMessage())));
            }
        }
        return plans;
    }

    /** Runs the plans in parallel and merges what came back. */
    public ReviewReport run(Diff diff, List<ReviewerPlan> plans) {
        List<Result> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Result>> futures = new ArrayList<>();
            for (ReviewerPlan plan : plans) futures.add(pool.submit(() -> review(plan, diff.paths())));
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    ReviewerPlan plan = plans.get(i);
                    String why = e.getCause() == null ? String.valueOf(e) : e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
                    results.add(new Result(new ReviewerOutcome(plan.reviewer().name(), List.of(), plan.chunks().size(), 0,
                            List.of(Redactor.global().redact(why))), List.of(), List.of()));
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new ModelException(ModelException.Kind.INTERRUPTED, "the review was interrupted");
                }
            }
        }
        List<Finding> all = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<ReviewerOutcome> outcomes = new ArrayList<>();
        for (Result r : results) {
            all.addAll(r.findings());
            notes.addAll(r.dropped());
            outcomes.add(r.outcome());
        }
        int parts = plans.stream().mapToInt(p -> p.chunks().size()).max().orElse(0);
        return new ReviewReport(diff.description(), List.copyOf(diff.paths()), parts, FindingMerger.merge(all), outcomes, notes);
    }

    /** {@link #plan} then {@link #run}. */
    public ReviewReport review(Diff diff, String scope) {
        return run(diff, plan(diff, scope));
    }

    private record Result(ReviewerOutcome outcome, List<Finding> findings, List<String> dropped) {}

    private static Result review(ReviewerPlan plan, Set<String> files) {
        String name = plan.reviewer().name();
        if (plan.problem().isPresent()) {
            return new Result(new ReviewerOutcome(name, List.of(), 0, 0, List.of(plan.problem().get())), List.of(), List.of());
        }
        List<Finding> findings = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Set<String> answeredBy = new LinkedHashSet<>();
        int reviewed = 0;
        for (int i = 0; i < plan.requests().size(); i++) {
            DiffChunk chunk = plan.chunks().get(i);
            String where = plan.chunks().size() > 1 ? "part " + chunk.index() + "/" + chunk.of() + ": " : "";
            ChatResponse response;
            try {
                response = plan.reviewer().model().chat(plan.requests().get(i));
            } catch (ModelException e) {
                if (e.kind() == ModelException.Kind.INTERRUPTED) throw e;
                failures.add(where + e.kind().label() + ": " + Redactor.global().redact(e.getMessage()));
                if (HOPELESS.contains(e.kind()) && i + 1 < plan.requests().size()) {
                    failures.add("parts " + (i + 2) + "-" + plan.requests().size() + " not sent: they would fail alike");
                    break;
                }
                continue;
            }
            String by = response.modelId().isBlank() ? name : response.modelId();
            switch (FindingParser.parse(response.text(), by, files)) {
                case ParsedAnswer.Findings f -> {
                    findings.addAll(f.findings());
                    dropped.addAll(f.dropped());
                    answeredBy.add(by);
                    reviewed++;
                }
                case ParsedAnswer.Malformed m -> failures.add(where + by + " gave a malformed answer: " + m.problem());
            }
        }
        return new Result(new ReviewerOutcome(name, List.copyOf(answeredBy), plan.chunks().size(), reviewed, failures), findings, dropped);
    }
}
