-- One row per finished task: which model (and agent) served which kind of task, and whether the
-- result was accepted. The router's quality estimate per model and kind learns from these rows.
CREATE TABLE outcomes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at  TEXT    NOT NULL,
    run_id       TEXT    NOT NULL DEFAULT '',
    task_id      TEXT    NOT NULL DEFAULT '',
    model        TEXT    NOT NULL,
    agent        TEXT    NOT NULL DEFAULT '',
    kind         TEXT    NOT NULL,
    features     TEXT    NOT NULL DEFAULT '',
    verdict      TEXT    NOT NULL CHECK (verdict IN ('pass', 'fail')),
    cost_usd     REAL    NOT NULL DEFAULT 0,
    duration_ms  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outcomes_model_kind ON outcomes (model, kind);
CREATE INDEX outcomes_recorded_at ON outcomes (recorded_at);
