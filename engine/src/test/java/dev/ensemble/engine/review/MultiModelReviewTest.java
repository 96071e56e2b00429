package dev.ensemble.engine.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The review engine with in-process models: parallel reviewers, failures kept apart, the ledger's context. */
class MultiModelReviewTest {
    static final Diff DIFF = Diff.parse("changes since HEAD", DiffTest.TWO_FILES);

    record Fake(ModelSpec spec, Function<ChatRequest, String> answer, List<ChatRequest> seen) implements ChatModel {
        Fake(String id, Function<ChatRequest, String> answer) {
            this(MultiModelReviewTest.spec(id, 32_000), answer, new CopyOnWriteArrayList<>());
        }

        @Override
        public ChatResponse chat(ChatRequest request, StreamListener listener) {
            seen.add(request);
            return new ChatResponse(answer.apply(request), List.of(), FinishReason.STOP, new Usage(1, 1, 0), spec.id(),
                    Duration.ZERO, Duration.ZERO, List.of());
        }
    }

    static ModelSpec spec(String id, int window) {
        return new ModelSpec(id, "p", id, id + "-family", Pricing.FREE, window, 2_048, 50, true, false, Map.of());
    }

    static MultiModelReview.Reviewer reviewer(ChatModel model) {
        return new MultiModelReview.Reviewer(model, List.of(model.spec()), "You review.", 0);
    }

    @Test
    void reviewersRunInParallelAndTheirFindingsMerge() {
        // Each model waits until the other has been called: only parallel reviewers get past.
        CountDownLatch both = new CountDownLatch(2);
        Function<String, Function<ChatRequest, String>> answer = severity -> request -> {
            both.countDown();
            try {
                if (!both.await(10, TimeUnit.SECONDS)) throw new ModelException(ModelException.Kind.TIMEOUT, "not parallel");
            } catch (InterruptedException e) {
                throw new ModelException(ModelException.Kind.INTERRUPTED, "interrupted");
            }
            return "[{\"severity\":\"" + severity + "\",\"file\":\"src/A.java\",\"line\":2,\"description\":\"x is never set\"}]";
        };
        Fake m1 = new Fake("m1", answer.apply("MEDIUM"));
        Fake m2 = new Fake("m2", answer.apply("HIGH"));
        ReviewReport report = new MultiModelReview(List.of(reviewer(m1), reviewer(m2))).review(DIFF, "changes");
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.models()).containsExactly("m1", "m2");
        });
        assertThat(report.worst()).contains(Severity.HIGH);
        assertThat(report.allFailed()).isFalse();
        assertThat(m1.seen().getFirst().context().command()).isEqualTo("review");
        assertThat(m1.seen().getFirst().context().role()).isEqualTo("reviewer");
        assertThat(m1.seen().getFirst().lastUserText()).contains("+++ b/src/A.java");
    }

    @Test
    void aFailingOrConfusedModelIsReportedAndTheOthersStand() {
        Fake good = new Fake("good", r -> "[{\"severity\":\"LOW\",\"file\":\"old.txt\",\"line\":1,\"description\":\"why delete\"},"
                + "{\"severity\":\"HIGH\",\"file\":\"nowhere.c\",\"line\":1,\"description\":\"made up\"}]");
        Fake confused = new Fake("confused", r -> "I think it is fine.");
        ChatModel broken = new ChatModel() {
            @Override public ModelSpec spec() {
                return MultiModelReviewTest.spec("broken", 32_000);
            }

            @Override public ChatResponse chat(ChatRequest request, StreamListener listener) {
                throw new ModelException(ModelException.Kind.SERVER_ERROR, "HTTP 500");
            }
        };
        ReviewReport report = new MultiModelReview(List.of(reviewer(good), reviewer(confused), reviewer(broken))).review(DIFF, "changes");
        assertThat(report.findings()).extracting(Finding::description).containsExactly("why delete");
        assertThat(report.notes()).singleElement().asString().contains("nowhere.c").contains("not in the diff");
        assertThat(report.reviewers()).extracting(ReviewerOutcome::reviewer, ReviewerOutcome::failed)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("good", false), org.assertj.core.groups.Tuple.tuple("confused", true),
                        org.assertj.core.groups.Tuple.tuple("broken", true));
        assertThat(report.reviewers().get(1).failures()).singleElement().asString().contains("malformed");
        assertThat(report.reviewers().get(2).failures()).singleElement().asString().contains("HTTP 500");
        String md = report.markdown();
        assertThat(md).contains("## LOW").contains("old.txt:1").contains("Raised by: good").contains("## Reviewer failures")
                .contains("## Dropped findings");
        assertThat(report.json().path("reviewers").get(2).path("failures").get(0).asString()).contains("server error");
    }

    @Test
    void everyReviewerFailingMeansNoReview() {
        Fake confused = new Fake("confused", r -> "no idea");
        ReviewReport report = new MultiModelReview(List.of(reviewer(confused))).review(DIFF, "changes");
        assertThat(report.allFailed()).isTrue();
        assertThat(report.summary()).contains("every reviewer failed");
    }

    @Test
    void aSmallWindowCutsTheDiffSoEveryRequestFits() {
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 300; i++) content.append("int v").append(i).append(" = ").append(i).append(";\n");
        Diff big = Diff.wholeFiles("files", List.of(new Diff.WholeFile("Big.java", content.toString())));
        ModelSpec small = spec("small", 1_500);
        Fake model = new Fake(small, r -> "[]", new CopyOnWriteArrayList<>());
        MultiModelReview review = new MultiModelReview(List.of(new MultiModelReview.Reviewer(model, List.of(small), "You review.", 0)));
        ReviewReport report = review.review(big, "whole files");
        assertThat(model.seen()).hasSizeGreaterThan(1);
        for (ChatRequest request : model.seen()) {
            assertThat(dev.ensemble.llm.TokenEstimator.estimate(request) + request.maxOutputTokens()).isLessThanOrEqualTo(1_500);
        }
        assertThat(report.reviewers().getFirst().reviewed()).isEqualTo(model.seen().size());
        assertThat(report.parts()).isEqualTo(model.seen().size());
    }

    @Test
    void aWindowTooSmallForTheInstructionsIsThatReviewersFailureOnly() {
        ModelSpec tiny = spec("tiny", 300);
        Fake model = new Fake(tiny, r -> "[]", new CopyOnWriteArrayList<>());
        Fake other = new Fake("other", r -> "[]");
        ReviewReport report = new MultiModelReview(List.of(new MultiModelReview.Reviewer(model, List.of(tiny), "You review.", 0),
                reviewer(other))).review(DIFF, "changes");
        assertThat(model.seen()).isEmpty();
        assertThat(report.reviewers().getFirst().failures()).singleElement().asString().contains("too small");
        assertThat(report.allFailed()).isFalse();
    }
}
