package dev.ensemble.engine.approval;

/**
 * Told when this process records an approval or decides one, after the store has the change: the
 * hook by which approvals reach a run's event log and every view (the dashboard's pending list,
 * Telegram's message). A decision made by another process is told in that process, so each change
 * is told exactly once. Called on the deciding thread: implementations must be quick and must not throw.
 */
public interface ApprovalListener {
    ApprovalListener NONE = new ApprovalListener() {};

    default void requested(Approval approval) {}

    default void decided(Approval approval) {}
}
