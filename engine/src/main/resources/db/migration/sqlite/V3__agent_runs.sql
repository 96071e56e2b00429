-- One row per agent run (ensemble exec, and later each task attempt of a run), and one row per
-- enforcement violation, so a rejected change can always be shown again with its path and rule.
CREATE TABLE agent_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at      TEXT    NOT NULL,
    run_id          TEXT    NOT NULL,
    task_id         TEXT    NOT NULL,
    agent           TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    accepted        INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    files           TEXT    NOT NULL DEFAULT '',
    input_tokens    INTEGER NOT NULL DEFAULT 0,
    output_tokens   INTEGER NOT NULL DEFAULT 0,
    cost_usd        REAL    NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    session_id      TEXT    NOT NULL DEFAULT '',
    failure         TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE violations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    run_id      TEXT    NOT NULL,
    task_id     TEXT    NOT NULL,
    agent       TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    rule        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX violations_run ON violations (run_id);
