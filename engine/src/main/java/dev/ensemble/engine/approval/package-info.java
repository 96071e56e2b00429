/**
 * Approvals: everything that once asked "y/N" on the terminal (a cost forecast above
 * {@code budget.approve_above_usd}, {@code --apply} onto the user's branch, a task the policy
 * flags) is a pending {@link dev.ensemble.engine.approval.Approval} in the store, with a timeout and
 * a default. {@link dev.ensemble.engine.approval.Approvals} records it, lets whoever answers first
 * decide it (the terminal, {@code ensemble approve} in another terminal, the daemon's API, the
 * dashboard, Telegram) and refuses every later answer.
 */
package dev.ensemble.engine.approval;
