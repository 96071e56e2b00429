package dev.ensemble.engine.approval;

import dev.ensemble.engine.event.RunEvents;

/**
 * Puts approvals into the run's event log ({@code approval.requested}, {@code approval.decided}),
 * so the daemon's stream, the dashboard and later Telegram see a question the moment it is asked
 * and its answer the moment it is given, whichever process asked or answered.
 */
public final class ApprovalEvents implements ApprovalListener {
    public static final String REQUESTED = "approval.requested";
    public static final String DECIDED = "approval.decided";

    private final RunEvents events;
    private final ApprovalListener next;

    public ApprovalEvents(RunEvents events, ApprovalListener next) {
        this.events = events;
        this.next = next;
    }

    @Override
    public void requested(Approval approval) {
        record(REQUESTED, approval);
        next.requested(approval);
    }

    @Override
    public void decided(Approval approval) {
        record(DECIDED, approval);
        next.decided(approval);
    }

    private void record(String kind, Approval approval) {
        try {
            events.record(approval.runId(), "", kind, ApprovalJson.write(approval));
        } catch (RuntimeException e) {
            // The decision is in the store already; a view missing it must not undo or fail it.
        }
    }
}
