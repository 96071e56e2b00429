-- Orchestrated runs and their tasks: every state change lands here before it takes effect, so a
-- run killed at any point resumes from these rows (accepted tasks are never redone).
CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    request     TEXT NOT NULL,
    plan_json   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('created', 'planning', 'running', 'done', 'failed')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX runs_created_at ON runs (created_at);

CREATE TABLE run_tasks (
    run_id         TEXT    NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    task_id        TEXT    NOT NULL,
    position       INTEGER NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'accepted', 'failed', 'rejected', 'skipped')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    fallback_step  INTEGER NOT NULL DEFAULT 0,
    agent          TEXT    NOT NULL DEFAULT '',
    model          TEXT    NOT NULL DEFAULT '',
    reason         TEXT    NOT NULL DEFAULT '',
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    cached_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_usd       REAL    NOT NULL DEFAULT 0,
    duration_ms    INTEGER NOT NULL DEFAULT 0,
    files          TEXT    NOT NULL DEFAULT '',
    session_id     TEXT    NOT NULL DEFAULT '',
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (run_id, task_id)
);
