-- What recorded a run: `go` (a plan and its tasks; resumable) or `exec` (one task through one agent,
-- listed by `ensemble runs` with its outcome). Runs from before this column were all `go` runs.
ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'go' CHECK (kind IN ('go', 'exec'));
