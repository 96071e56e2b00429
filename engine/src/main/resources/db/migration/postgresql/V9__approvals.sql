-- Approvals: a question that holds a command or a run up until someone answers it (the terminal,
-- `ensemble approve` from another terminal, the daemon's API or dashboard) or its timeout applies
-- the default. An answer is taken only while state is 'pending' (one conditional UPDATE), so the
-- first answer wins in every process that shares the store. Times are UTC text (UtcText).
CREATE TABLE approvals (
    approval_id      TEXT    PRIMARY KEY,
    run_id           TEXT    NOT NULL DEFAULT '',
    repo             TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL CHECK (kind IN ('forecast', 'apply', 'policy')),
    question         TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    timeout_ms       BIGINT  NOT NULL,
    expires_at       TEXT    NOT NULL,
    default_decision TEXT    NOT NULL CHECK (default_decision IN ('approve', 'reject')),
    state            TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'expired')),
    decision         TEXT    NOT NULL DEFAULT '' CHECK (decision IN ('', 'approve', 'reject')),
    decided_by       TEXT    NOT NULL DEFAULT '',
    decided_at       TEXT    NOT NULL DEFAULT '',
    reason           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX approvals_state ON approvals (state, expires_at);
CREATE INDEX approvals_created_at ON approvals (created_at);
CREATE INDEX approvals_run_id ON approvals (run_id);
