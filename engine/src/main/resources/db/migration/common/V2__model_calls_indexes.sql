-- Migrations whose SQL is the same in SQLite and PostgreSQL live here; the others live in one file
-- per dialect (sqlite/, postgresql/) under the same version number. Versions are shared by both
-- folders, so a new migration takes the next free number across all three.
CREATE INDEX model_calls_started_at ON model_calls (started_at);
CREATE INDEX model_calls_model ON model_calls (model);
