-- Shared memory: notes (facts, decisions, conventions, findings, reasons) that a model or agent
-- writes during a run and later prompts receive when relevant. Text is redacted before it lands here.
CREATE TABLE notes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  TEXT NOT NULL,
    run_id      TEXT NOT NULL DEFAULT '',
    task_id     TEXT NOT NULL DEFAULT '',
    author      TEXT NOT NULL,
    vendor      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('fact', 'decision', 'convention', 'finding', 'reason')),
    text        TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notes_created_at ON notes (created_at);
CREATE INDEX notes_run_id ON notes (run_id, created_at);
