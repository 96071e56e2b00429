package dev.ensemble.engine.converse;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.engine.converse.ChatTurn.Side;
import dev.ensemble.engine.converse.ChatTurn.Status;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.TokenEstimator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An implementer and a reviewer talking about one task: the implementer writes, the reviewer
 * critiques, strictly in turn, until the reviewer answers with the stop token or the rounds run
 * out. The models see each other only through the messages built here.
 *
 * <p>Every turn has a deadline. A turn that misses it fails open: the chat stops waiting (the call
 * is interrupted on its virtual thread), records the turn as timed out with whatever text had
 * arrived, and ends with what it has. A failed turn (every model of the role's chain failed, or a
 * budget refused the call) ends it the same way. Neither throws: the caller always gets a transcript.
 *
 * <p>Calls go through the casts' models, so the ledger records each one with command {@code chat}
 * and the role, budgets and local-only apply, and a failing model falls back along the role's chain.
 */
public final class DuoChat {
    public static final String COMMAND = "chat";
    /** After giving up on a turn, how long to let its call notice the interrupt, so its ledger row is written before we go on. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final RoleModels.Cast implementer;
    private final RoleModels.Cast reviewer;
    private final ChatSettings settings;
    private final ChatListener listener;
    private final Clock clock;

    public DuoChat(RoleModels.Cast implementer, RoleModels.Cast reviewer, ChatSettings settings, ChatListener listener, Clock clock) {
        this.implementer = Objects.requireNonNull(implementer, "implementer");
        this.reviewer = Objects.requireNonNull(reviewer, "reviewer");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Runs the chat to its end; never throws for a model's failure or silence (see the class comment). */
    public ChatTranscript run(String task) {
        if (task == null || task.isBlank()) throw new IllegalArgumentException("the task is empty");
        Instant startedAt = clock.instant();
        List<ChatTurn> turns = new ArrayList<>();
        List<String> work = new ArrayList<>();
        List<String> reviews = new ArrayList<>();
        ChatOutcome outcome = ChatOutcome.ROUND_LIMIT;
        String detail = "no " + settings.stopToken() + " after " + settings.rounds() + " round(s)";
        chat:
        for (int round = 1; round <= settings.rounds(); round++) {
            for (Side side : Side.values()) {
                List<ChatMessage> messages = side == Side.IMPLEMENTER
                        ? ChatPrompts.implementer(task, implementer.role(), reviewer.role(), work, reviews)
                        : ChatPrompts.reviewer(task, reviewer.role(), implementer.role(), settings.stopToken(), work, reviews);
                ChatTurn turn = take(turns.size() + 1, round, side, messages);
                turns.add(turn);
                if (turn.status() != Status.OK) {
                    outcome = turn.status() == Status.TIMED_OUT ? ChatOutcome.TIMED_OUT : ChatOutcome.FAILED;
                    detail = "turn " + turn.index() + " (" + turn.roleName() + ", round " + round + "): " + turn.error();
                    break chat;
                }
                (side == Side.IMPLEMENTER ? work : reviews).add(turn.content());
                if (side == Side.REVIEWER && settings.approves(turn.content())) {
                    outcome = ChatOutcome.APPROVED;
                    detail = reviewer.role().displayName() + " approved in round " + round;
                    break chat;
                }
            }
        }
        return new ChatTranscript(task, settings, ChatParticipant.of(implementer), ChatParticipant.of(reviewer), turns, outcome,
                detail, startedAt, clock.instant());
    }

    private ChatTurn take(int index, int round, Side side, List<ChatMessage> messages) {
        RoleModels.Cast cast = side == Side.IMPLEMENTER ? implementer : reviewer;
        ChatRequest request = new ChatRequest(messages, List.of(), cast.role().maxOutputTokens(), null,
                CallContext.of(COMMAND).withRole(cast.role().id()));
        listener.onTurnStart(index, round, side, cast.role().id(), cast.role().displayName(), cast.lead().id());
        Instant startedAt = clock.instant();
        long start = System.nanoTime();
        TurnStream stream = new TurnStream(listener, start);
        CompletableFuture<ChatResponse> answer = new CompletableFuture<>();
        Thread call = Thread.ofVirtual().name("chat-turn-" + index).start(() -> {
            try {
                answer.complete(cast.model().chat(request, stream));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        Draft draft = new Draft(index, round, side, cast, startedAt, start, request);
        ChatTurn turn;
        try {
            ChatResponse response = answer.get(settings.turnTimeout().toNanos(), TimeUnit.NANOSECONDS);
            stream.close();
            turn = draft.answered(response, stream);
        } catch (TimeoutException e) {
            stream.close();  // nothing more reaches the listener: the turn is over for everyone watching
            call.interrupt();
            awaitQuietly(call);
            turn = draft.unanswered(Status.TIMED_OUT, stream, "no answer within the turn timeout of " + seconds(settings.turnTimeout()));
        } catch (ExecutionException e) {
            stream.close();
            Throwable cause = e.getCause();
            String why = cause instanceof ModelException m ? m.getMessage()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            turn = draft.unanswered(Status.FAILED, stream, Redactor.global().redact(String.valueOf(why)));
        } catch (InterruptedException e) {
            stream.close();
            call.interrupt();
            Thread.currentThread().interrupt();
            turn = draft.unanswered(Status.FAILED, stream, "interrupted");
        }
        listener.onTurnEnd(turn);
        return turn;
    }

    private static void awaitQuietly(Thread call) {
        try {
            call.join(GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** What a turn knows before its answer: enough to build it whichever way it ends. */
    private record Draft(int index, int round, Side side, RoleModels.Cast cast, Instant startedAt, long startNanos, ChatRequest request) {
        ChatTurn answered(ChatResponse response, TurnStream stream) {
            Usage usage = response.usage();
            boolean estimated = usage.totalTokens() == 0;
            if (estimated) usage = TokenEstimator.estimate(request, response.text());
            ModelSpec spec = spec(response.modelId());
            Duration firstToken = stream.firstTextAfter().orElse(response.timeToFirstToken());
            return new ChatTurn(index, round, side, cast.role().id(), cast.role().displayName(), response.modelId(), Status.OK,
                    response.text(), usage, estimated, spec.costUsd(usage), startedAt, elapsed(), firstToken, "", response.failures());
        }

        ChatTurn unanswered(Status status, TurnStream stream, String error) {
            String partial = stream.text();
            Usage usage = TokenEstimator.estimate(request, partial);
            // As the ledger does: a provider bills a stream that had begun, not a request that never answered.
            double cost = partial.isEmpty() ? 0 : cast.lead().costUsd(usage);
            return new ChatTurn(index, round, side, cast.role().id(), cast.role().displayName(), cast.lead().id(), status, partial,
                    usage, true, cost, startedAt, elapsed(), stream.firstTextAfter().orElse(Duration.ZERO), error, stream.failures());
        }

        private ModelSpec spec(String modelId) {
            return cast.chain().stream().filter(m -> m.id().equals(modelId)).findFirst().orElse(cast.lead());
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }
    }

    /**
     * Passes a turn's stream on to the chat's listener until the turn is over, and keeps what
     * arrived: the text of the attempt in progress, when its first text came, the failed attempts.
     * Synchronized because the call runs on its own thread while the chat may close the turn.
     */
    private static final class TurnStream implements StreamListener {
        private final ChatListener listener;
        private final long startNanos;
        private final StringBuilder text = new StringBuilder();
        private final List<FailedAttempt> failures = new ArrayList<>();
        private long firstTextNanos = -1;
        private boolean open = true;

        TurnStream(ChatListener listener, long startNanos) {
            this.listener = listener;
            this.startNanos = startNanos;
        }

        @Override
        public synchronized void onText(String delta) {
            if (!open) return;
            if (firstTextNanos < 0 && !delta.isEmpty()) firstTextNanos = System.nanoTime();
            text.append(delta);
            listener.onText(delta);
        }

        @Override
        public synchronized void onAttemptFailed(FailedAttempt failure) {
            if (!open) return;
            failures.add(failure);
            text.setLength(0);
            firstTextNanos = -1;
            listener.onAttemptFailed(failure);
        }

        synchronized void close() {
            open = false;
        }

        synchronized String text() {
            return text.toString();
        }

        synchronized List<FailedAttempt> failures() {
            return List.copyOf(failures);
        }

        synchronized Optional<Duration> firstTextAfter() {
            return firstTextNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(firstTextNanos - startNanos));
        }
    }
}
