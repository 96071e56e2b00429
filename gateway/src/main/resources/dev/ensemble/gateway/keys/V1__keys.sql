-- The gateway's virtual keys. Only the SHA-256 of a key's secret is stored (secret_sha256); the
-- secret itself is shown once, when the key is made. Times are UTC ISO-8601 text.
CREATE TABLE keys (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    secret_sha256 TEXT    NOT NULL UNIQUE,
    budget_usd    REAL,
    budget_per    TEXT    CHECK (budget_per IN ('day', 'run', 'month', 'total')),
    models        TEXT    NOT NULL DEFAULT '',
    rpm           INTEGER NOT NULL DEFAULT 0 CHECK (rpm >= 0),
    created_at    TEXT    NOT NULL,
    expires_at    TEXT,
    revoked_at    TEXT,
    CHECK ((budget_usd IS NULL) = (budget_per IS NULL))
);
-- A name names one key that is not revoked; a revoked key's name may be given to a new one.
CREATE UNIQUE INDEX keys_live_name ON keys (name) WHERE revoked_at IS NULL;

-- What each key has spent, per budget bucket: a UTC day (2026-11-21), a month (2026-11), a gateway
-- run (run:<id>) and always 'total'. Kept here, not in memory, so a budget holds across restarts.
CREATE TABLE key_spend (
    key_id TEXT    NOT NULL REFERENCES keys (id),
    bucket TEXT    NOT NULL,
    usd    REAL    NOT NULL DEFAULT 0,
    calls  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, bucket)
);
