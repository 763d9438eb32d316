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
-- No index on state: the table holds one row per zone of a delivery (thousands, not millions), so a list by
-- state scans it in a blink, while an index would cost a page write on every transition.

-- The reservations pronounced with accepted_with_reservations, numbered from 1 within their subject.
CREATE TABLE sync_reservation (
    subject_id INTEGER NOT NULL REFERENCES sync_subject (id),
    number INTEGER NOT NULL,
    object_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    due_on TEXT NOT NULL,
    lifted_at TEXT,
    PRIMARY KEY (subject_id, number)
);

-- Every accepted write, forever.
CREATE TABLE sync_audit (
    -- The cursor of changes_since: the rowid, which SQLite gives as the largest so far plus one. Writers are
    -- serialised (BEGIN IMMEDIATE) and rows are never deleted, so numbers follow commit order, without gaps.
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

CREATE TRIGGER sync_audit_no_update BEFORE UPDATE ON sync_audit
BEGIN
    SELECT RAISE(ABORT, 'sync_audit is append-only');
END;
CREATE TRIGGER sync_audit_no_delete BEFORE DELETE ON sync_audit
BEGIN
    SELECT RAISE(ABORT, 'sync_audit is append-only');
END;

-- The idempotency keys claimed, with the request each was first used for (canonical JSON). The primary key
-- makes a key unique per organisation; its audit row is found through the subject its request names.
CREATE TABLE sync_request (
    organisation TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request TEXT NOT NULL,
    PRIMARY KEY (organisation, idempotency_key)
) WITHOUT ROWID; -- one b-tree instead of a table and its key index: one page fewer to write per request
