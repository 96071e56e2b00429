package dev.ensemble.engine.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The approvals table's PostgreSQL migration, and the first answer winning there too. */
class PostgresApprovalsTest {
    @TempDir Path repo;

    @Test
    void anApprovalRoundTripsAndOnlyTheFirstAnswerIsTaken() throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
             Store store = Store.open(new StoreSettings("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres",
                     "postgres", Optional.empty()), repo, ref -> null)) {
            Approvals approvals = new Approvals(store);
            Approval a = approvals.request(ApprovalRequest.rejectOnTimeout("run-1", repo.toString(), ApprovalKind.POLICY,
                    "task t owns db/migrations/V1.sql", Duration.ofDays(30)));
            assertThat(approvals.find(a.id())).contains(a);
            assertThat(approvals.decide(a.id(), Decision.REJECT, Answerer.TELEGRAM, "")).isInstanceOf(Decided.Taken.class);
            assertThat(approvals.decide(a.id(), Decision.APPROVE, Answerer.API, "")).isInstanceOf(Decided.Refused.class);
            Approval stored = approvals.find(a.id()).orElseThrow();
            assertThat(stored.state()).isEqualTo(ApprovalState.REJECTED);
            assertThat(stored.decidedBy()).contains(Answerer.TELEGRAM);
            assertThat(stored.timeout()).isEqualTo(Duration.ofDays(30));
        }
    }
}
