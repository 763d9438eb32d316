-- Version 1 of the sync tables (SQLite). Same tables, columns and meaning as migrations/postgres/0001_sync.sql:
-- the queries are written once for both. Dates are TEXT YYYY-MM-DD, timestamps TEXT
-- YYYY-MM-DDTHH:MM:SS.ffffffZ (fixed width, so text order is time order); no column is declared DATE, DATETIME
-- or BOOLEAN, which sqlx's Any driver could not read.

-- One row per subject: a delivery (kind 'delivery', code '') or an SRO/PBO zone of a delivery.
CREATE TABLE sync_subject (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('delivery', 'sro', 'pbo')),
    code TEXT NOT NULL,
    state TEXT NOT NULL,
    -- Bumped by every accepted write: the optimistic-concurrency token.
    version INTEGER NOT NULL,
    in_operation_on TEXT,
    UNIQUE (delivery_id, kind, code)
);
CREATE INDEX sync_subject_state ON sync_subject (state, kind);

-- The reservations pronounced with accepted_with_reservations, numbered from 1 within their subject.
CREATE TABLE sync_reservation (
    subject_id INTEGER NOT NULL REFERENCES sync_subject (id),
    number INTEGER NOT NULL,
    object_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    due_on TEXT NOT NULL,
    lifted_at TEXT,
    -- The audit row of the lifting.
    lifted_seq INTEGER,
    PRIMARY KEY (subject_id, number)
);

-- The last sequence number given to an audit row. Taken with an UPDATE as the last step of each write, so
-- numbers are handed out in commit order (see the store module docs).
CREATE TABLE sync_sequence (last INTEGER NOT NULL);
INSERT INTO sync_sequence (last) VALUES (0);

-- Every accepted write, forever.
CREATE TABLE sync_audit (
    seq INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES sync_subject (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    organisation TEXT NOT NULL,
    token_id TEXT NOT NULL,
    idempotency_key TEXT,
    payload TEXT NOT NULL
);
CREATE INDEX sync_audit_subject ON sync_audit (subject_id, seq);
CREATE UNIQUE INDEX sync_audit_key ON sync_audit (organisation, idempotency_key);

CREATE TRIGGER sync_audit_no_update BEFORE UPDATE ON sync_audit
BEGIN
    SELECT RAISE(ABORT, 'sync_audit is append-only');
END;
CREATE TRIGGER sync_audit_no_delete BEFORE DELETE ON sync_audit
BEGIN
    SELECT RAISE(ABORT, 'sync_audit is append-only');
END;

-- The idempotency keys claimed, with the request each was first used for (canonical JSON).
CREATE TABLE sync_request (
    organisation TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request TEXT NOT NULL,
    PRIMARY KEY (organisation, idempotency_key)
);
