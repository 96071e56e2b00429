-- One row per attempt at one model (the usage ledger). started_at is UTC ISO-8601 text of fixed
-- width (2026-11-21T05:00:00.000Z), so it sorts as text and its first 10 characters are the UTC day
-- in both SQLite and PostgreSQL.
CREATE TABLE model_calls (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at          TEXT             NOT NULL,
    command             TEXT             NOT NULL DEFAULT '',
    run_id              TEXT             NOT NULL DEFAULT '',
    task_id             TEXT             NOT NULL DEFAULT '',
    role                TEXT             NOT NULL DEFAULT '',
    provider            TEXT             NOT NULL,
    model               TEXT             NOT NULL,
    streamed            BOOLEAN          NOT NULL,
    input_tokens        BIGINT           NOT NULL DEFAULT 0,
    output_tokens       BIGINT           NOT NULL DEFAULT 0,
    cached_input_tokens BIGINT           NOT NULL DEFAULT 0,
    cost_usd            DOUBLE PRECISION NOT NULL DEFAULT 0,
    latency_ms          BIGINT           NOT NULL DEFAULT 0,
    ttft_ms             BIGINT,
    outcome             TEXT             NOT NULL CHECK (outcome IN ('ok', 'error')),
    error_kind          TEXT             NOT NULL DEFAULT '',
    error               TEXT             NOT NULL DEFAULT '',
    attempt             INTEGER          NOT NULL DEFAULT 1,
    fallback_step       INTEGER          NOT NULL DEFAULT 0
);
