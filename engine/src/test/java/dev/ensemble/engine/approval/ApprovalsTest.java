package dev.ensemble.engine.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Approvals in a real SQLite store: first answer wins, timeouts apply the default, a second store handle sees answers. */
class ApprovalsTest {
    @TempDir Path repo;
    Store store;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final ApprovalListener recording = new ApprovalListener() {
        @Override
        public void requested(Approval a) {
            events.add("requested " + a.id());
        }

        @Override
        public void decided(Approval a) {
            events.add("decided " + a.id() + " " + a.outcome());
        }
    };

    @BeforeEach
    void open() {
        store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static ApprovalRequest forecast(Duration timeout) {
        return ApprovalRequest.rejectOnTimeout("run-1", "/src/project", ApprovalKind.FORECAST,
                "run run-1 could cost up to $4.10, above budget.approve_above_usd $2.00", timeout);
    }

    @Test
    void aRequestIsPendingListedAndToldThenDecidedOnceWithWhoAndWhy() {
        Approvals approvals = new Approvals(store).withListener(recording);
        Approval a = approvals.request(forecast(Duration.ofMinutes(10)));
        assertThat(a.id()).matches("apr-[0-9a-f]{8}");
        assertThat(a.pending()).isTrue();
        assertThat(a.expiresAt()).isEqualTo(a.createdAt().plus(Duration.ofMinutes(10)));
        assertThat(approvals.list(ApprovalFilter.pending())).containsExactly(a);
        assertThat(approvals.list(ApprovalFilter.all().withRun("run-2"))).isEmpty();

        Decided first = approvals.decide(a.id(), Decision.APPROVE, Answerer.CLI, "fine");
        assertThat(first).isInstanceOf(Decided.Taken.class);
        Approval decided = ((Decided.Taken) first).approval();
        assertThat(decided.state()).isEqualTo(ApprovalState.APPROVED);
        assertThat(decided.approved()).isTrue();
        assertThat(decided.decidedBy()).contains(Answerer.CLI);
        assertThat(decided.decidedAt()).isPresent();
        assertThat(decided.reason()).isEqualTo("fine");

        Decided second = approvals.decide(a.id(), Decision.REJECT, Answerer.TERMINAL, "no");
        assertThat(second).isInstanceOfSatisfying(Decided.Refused.class, r -> {
            assertThat(r.reason()).contains("already decided", "approved by cli (fine)", "nothing changed");
            assertThat(r.approval()).isEqualTo(decided);
        });
        assertThat(approvals.find(a.id())).contains(decided);
        assertThat(approvals.list(ApprovalFilter.pending())).isEmpty();
        assertThat(events).containsExactly("requested " + a.id(), "decided " + a.id() + " approved by cli (fine)");
        assertThat(approvals.decide("apr-00000000", Decision.APPROVE, Answerer.CLI, "")).isInstanceOf(Decided.NotFound.class);
    }

    @Test
    void underConcurrencyExactlyOneAnswerIsTakenAndTheOthersChangeNothing() throws Exception {
        Approvals approvals = new Approvals(store);
        // A second handle on the same file: as a second process would open it.
        try (Store other = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            Approvals elsewhere = new Approvals(other);
            for (int round = 0; round < 5; round++) {
                Approval a = approvals.request(forecast(Duration.ofMinutes(10)));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Decided>> answers = new ArrayList<>();
                try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < 16; i++) {
                        Approvals who = i % 2 == 0 ? approvals : elsewhere;
                        Decision decision = i % 3 == 0 ? Decision.REJECT : Decision.APPROVE;
                        Answerer by = Answerer.values()[i % 5];
                        answers.add(threads.submit(() -> {
                            start.await();
                            return who.decide(a.id(), decision, by, "answer " + by.key());
                        }));
                    }
                    start.countDown();
                }
                List<Decided> results = new ArrayList<>();
                for (Future<Decided> f : answers) results.add(f.get());
                List<Approval> taken = results.stream().filter(d -> d instanceof Decided.Taken)
                        .map(d -> ((Decided.Taken) d).approval()).toList();
                assertThat(taken).hasSize(1);
                Approval winner = taken.get(0);
                assertThat(approvals.find(a.id())).contains(winner);
                assertThat(results).filteredOn(d -> d instanceof Decided.Refused).hasSize(15)
                        .allSatisfy(d -> assertThat(((Decided.Refused) d).approval()).isEqualTo(winner));
                assertThat(winner.reason()).isEqualTo("answer " + winner.decidedBy().orElseThrow().key());
            }
        }
    }

    @Test
    void aWaiterIsReleasedByAnAnswerGivenThroughAnotherStoreHandle() throws Exception {
        Approvals approvals = new Approvals(store, Clock.systemUTC(), ApprovalListener.NONE, Duration.ofMillis(20));
        Approval a = approvals.request(forecast(Duration.ofMinutes(10)));
        CompletableFuture<Approval> waiting = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                waiting.complete(approvals.await(a.id()));
            } catch (Throwable e) {
                waiting.completeExceptionally(e);
            }
        });
        try (Store other = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            assertThat(new Approvals(other).decide(a.id(), Decision.REJECT, Answerer.API, "too dear"))
                    .isInstanceOf(Decided.Taken.class);
        }
        Approval released = waiting.get();
        assertThat(released.state()).isEqualTo(ApprovalState.REJECTED);
        assertThat(released.decidedBy()).contains(Answerer.API);
        assertThat(released.reason()).isEqualTo("too dear");
    }

    @Test
    void aTimeoutAppliesTheDefaultAndALaterAnswerIsRefused() throws Exception {
        Approvals approvals = new Approvals(store, Clock.systemUTC(), recording, Duration.ofMillis(10));
        Approval rejecting = approvals.request(forecast(Duration.ofMillis(50)));
        Approval ended = approvals.await(rejecting.id());
        assertThat(ended.state()).isEqualTo(ApprovalState.EXPIRED);
        assertThat(ended.approved()).isFalse();
        assertThat(ended.decidedBy()).contains(Answerer.TIMEOUT);
        assertThat(ended.outcome()).isEqualTo("expired: rejected by timeout");
        assertThat(approvals.decide(rejecting.id(), Decision.APPROVE, Answerer.DASHBOARD, ""))
                .isInstanceOfSatisfying(Decided.Refused.class, r -> assertThat(r.reason()).contains("expired: rejected by timeout"));

        Approval approving = approvals.request(new ApprovalRequest("", "/src/project", ApprovalKind.APPLY, "merge?",
                Duration.ofMinutes(10), Decision.APPROVE));
        // await's own limit, shorter than the approval's, applies the default too.
        Approval approved = approvals.await(approving.id(), Duration.ofMillis(30));
        assertThat(approved.state()).isEqualTo(ApprovalState.EXPIRED);
        assertThat(approved.approved()).isTrue();
        assertThat(events).contains("decided " + rejecting.id() + " expired: rejected by timeout",
                "decided " + approving.id() + " expired: approved by timeout");
    }

    @Test
    void aPendingApprovalWhoseWaiterDiedIsExpiredWhenListedAndCannotBeDecidedLate() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        Approvals approvals = new Approvals(store, clock, ApprovalListener.NONE, Duration.ofMillis(10));
        Approval stale = approvals.request(forecast(Duration.ofMinutes(5)));
        Approval fresh = approvals.request(forecast(Duration.ofMinutes(30)));
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(approvals.decide(stale.id(), Decision.APPROVE, Answerer.CLI, ""))
                .isInstanceOfSatisfying(Decided.Refused.class, r -> assertThat(r.approval().state()).isEqualTo(ApprovalState.EXPIRED));
        assertThat(approvals.list(ApprovalFilter.pending())).extracting(Approval::id).containsExactly(fresh.id());
        clock.now = clock.now.plus(Duration.ofMinutes(30));
        assertThat(approvals.expireOverdue()).extracting(Approval::id).containsExactly(fresh.id());
        assertThat(approvals.list(ApprovalFilter.all().withState(ApprovalState.EXPIRED))).hasSize(2);
    }

    /** A clock a test moves by hand: no sleeping to reach a timeout. */
    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
