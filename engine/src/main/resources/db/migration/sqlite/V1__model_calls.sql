-- One row per attempt at one model (the usage ledger). started_at is UTC ISO-8601 text of fixed
-- width (2026-11-21T05:00:00.000Z), so it sorts as text and its first 10 characters are the UTC day
-- in both SQLite and PostgreSQL.
CREATE TABLE model_calls (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at          TEXT    NOT NULL,
    command             TEXT    NOT NULL DEFAULT '',
    run_id              TEXT    NOT NULL DEFAULT '',
    task_id             TEXT    NOT NULL DEFAULT '',
    role                TEXT    NOT NULL DEFAULT '',
    provider            TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    streamed            INTEGER NOT NULL CHECK (streamed IN (0, 1)),
    input_tokens        INTEGER NOT NULL DEFAULT 0,
    output_tokens       INTEGER NOT NULL DEFAULT 0,
    cached_input_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd            REAL    NOT NULL DEFAULT 0,
    latency_ms          INTEGER NOT NULL DEFAULT 0,
    ttft_ms             INTEGER,
    outcome             TEXT    NOT NULL CHECK (outcome IN ('ok', 'error')),
    error_kind          TEXT    NOT NULL DEFAULT '',
    error               TEXT    NOT NULL DEFAULT '',
    attempt             INTEGER NOT NULL DEFAULT 1,
    fallback_step       INTEGER NOT NULL DEFAULT 0
);
