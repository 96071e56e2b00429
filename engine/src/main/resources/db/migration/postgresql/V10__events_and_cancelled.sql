-- The event log every view reads (the daemon's /api/events, `ensemble attach`): one row per event of
-- a run, written before the event is published. A client resumes after the last id it saw.
CREATE TABLE events (
    id       BIGSERIAL PRIMARY KEY,
    at       TEXT    NOT NULL,
    run_id   TEXT    NOT NULL,
    task_id  TEXT    NOT NULL DEFAULT '',
    kind     TEXT    NOT NULL,
    data     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX events_run ON events (run_id, id);

-- A run can be cancelled (`ensemble cancel`).
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
    CHECK (status IN ('created', 'planning', 'running', 'done', 'failed', 'cancelled'));
