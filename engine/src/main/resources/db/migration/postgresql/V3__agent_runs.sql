-- One row per agent run (ensemble exec, and later each task attempt of a run), and one row per
-- enforcement violation, so a rejected change can always be shown again with its path and rule.
CREATE TABLE agent_runs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at      TEXT    NOT NULL,
    run_id          TEXT    NOT NULL,
    task_id         TEXT    NOT NULL,
    agent           TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    accepted        BOOLEAN NOT NULL,
    files           TEXT    NOT NULL DEFAULT '',
    input_tokens    BIGINT  NOT NULL DEFAULT 0,
    output_tokens   INTEGER NOT NULL DEFAULT 0,
    cost_usd        DOUBLE PRECISION    NOT NULL DEFAULT 0,
    duration_ms     BIGINT  NOT NULL DEFAULT 0,
    session_id      TEXT    NOT NULL DEFAULT '',
    failure         TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE violations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TEXT    NOT NULL,
    run_id      TEXT    NOT NULL,
    task_id     TEXT    NOT NULL,
    agent       TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    rule        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX violations_run ON violations (run_id);
