-- Version 1 of the access tables in SQLite (the same logical schema as ../postgres/0001_access.sql).
-- Times are text, `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, written by the engine: identical on both backends and in
-- the store's own tables, and ordered as text.

CREATE TABLE access_organisation (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- A pattern is `*` (every zone) or one zone label, matched exactly against the delivery's zone.
CREATE TABLE access_grant (
    org_id INTEGER NOT NULL REFERENCES access_organisation (id),
    pattern TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, pattern)
);

-- `id` is the token's public part; the secret itself is never stored, only its SHA-256.
CREATE TABLE access_token (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES access_organisation (id),
    role TEXT NOT NULL CHECK (role IN ('engineer', 'manager', 'delegatee', 'admin')),
    label TEXT NOT NULL,
    secret_sha256 BLOB NOT NULL CHECK (length(secret_sha256) = 32),
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX access_token_org ON access_token (org_id);

-- The organisation that uploaded a delivery. `delivery_id` is thd-store's delivery id; no foreign key, so that
-- the access tables do not depend on the store's schema or on the order the two are created in.
CREATE TABLE access_delivery_owner (
    delivery_id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES access_organisation (id),
    owned_since TEXT NOT NULL
);
CREATE INDEX access_delivery_owner_org ON access_delivery_owner (org_id);
