-- The event log every view reads (the daemon's /api/events, `ensemble attach`): one row per event of
-- a run, written before the event is published; the id only grows (AUTOINCREMENT never reuses one),
-- so a client that saw id N resumes with every event after N, none missed, none repeated.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT    NOT NULL,
    run_id   TEXT    NOT NULL,
    task_id  TEXT    NOT NULL DEFAULT '',
    kind     TEXT    NOT NULL,
    data     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX events_run ON events (run_id, id);

-- A run can be cancelled (`ensemble cancel`): its status gains 'cancelled'. SQLite cannot change a
-- CHECK in place, and with foreign keys on, dropping `runs` would cascade into `run_tasks`: both are
-- rebuilt, children first out and last in, inside this migration's transaction.
CREATE TABLE runs_v10 (
    run_id      TEXT PRIMARY KEY,
    request     TEXT NOT NULL,
    plan_json   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('created', 'planning', 'running', 'done', 'failed', 'cancelled')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'go' CHECK (kind IN ('go', 'exec'))
);
INSERT INTO runs_v10 (run_id, request, plan_json, status, created_at, updated_at, kind)
    SELECT run_id, request, plan_json, status, created_at, updated_at, kind FROM runs;

CREATE TABLE run_tasks_v10 (
    run_id         TEXT    NOT NULL REFERENCES runs_v10 (run_id) ON DELETE CASCADE,
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
INSERT INTO run_tasks_v10 SELECT run_id, task_id, position, status, attempts, fallback_step, agent, model, reason,
    input_tokens, output_tokens, cached_tokens, cost_usd, duration_ms, files, session_id, updated_at FROM run_tasks;

DROP TABLE run_tasks;
DROP TABLE runs;
-- Renaming a table rewrites the foreign keys that name it: run_tasks_v10 then references runs.
ALTER TABLE runs_v10 RENAME TO runs;
ALTER TABLE run_tasks_v10 RENAME TO run_tasks;
CREATE INDEX runs_created_at ON runs (created_at);
